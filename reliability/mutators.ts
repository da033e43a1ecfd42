/**
 * Seeded mutation of JSON inputs for the reliability fuzzers: every mutation is a pure function of
 * (value, rng), so input i of a run is reproducible from the run's seed and i alone.
 */
import { seededUniform } from "../core/inference/seededUniform.js";

export type Rng = () => number;

/** The PRNG of input `index` of a run seeded `seed` (independent of the order inputs are generated in). */
export function rngFor(seed: number, index: number): Rng {
  return seededUniform((Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0);
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

export function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

export const HUGE_STRING_BYTES = 1 << 20;
let huge: string | undefined;
function hugeString(): string {
  return (huge ??= "x".repeat(HUGE_STRING_BYTES));
}

const WRONG_TYPES: readonly unknown[] = [null, true, false, 0, 1, -1, "", "0", "true", [], {}, [null], { "": null }, "nvidia.com/gpu"];
const NUMBERS: readonly unknown[] = [1e308, -1e308, -0, 5e-324, 2 ** 53 + 1, -(2 ** 63), 2 ** 64, "NaN", "Infinity", "-0", "1e308", 0.5, -1];
const UNICODE: readonly string[] = [
  "\u202Eevil\u202C", // RTL override
  "🚀🧪👩‍👩‍👧‍👦",
  "\ud800", // lone high surrogate (JSON.stringify escapes it as \ud800)
  "\udfff",
  "\u0000nul",
  "a\u0301\u0301\u0301",
  "ｆｕｌｌ",
  "\ufeffbom",
  "名前/ラベル",
  "line\nbreak\t\"quote\"\\",
];

/** A value nested `depth` levels (objects and arrays alternating). */
export function deepNest(depth: number, leaf: unknown = 1): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

type Path = Array<string | number>;

/** Every path in `value` (the root excluded), breadth-first, capped. */
function paths(value: unknown, cap = 4000): Path[] {
  const out: Path[] = [];
  const queue: Array<[unknown, Path]> = [[value, []]];
  while (queue.length && out.length < cap) {
    const [v, p] = queue.shift()!;
    if (typeof v !== "object" || v === null) continue;
    const entries: Array<[string | number, unknown]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (const [k, child] of entries) {
      const cp = [...p, k];
      out.push(cp);
      queue.push([child, cp]);
    }
  }
  return out;
}

function parentOf(root: unknown, path: Path): Record<string | number, unknown> | undefined {
  let v: unknown = root;
  for (const k of path.slice(0, -1)) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return typeof v === "object" && v !== null ? (v as Record<string | number, unknown>) : undefined;
}

export type ValueMutation = "wrongType" | "hugeString" | "number" | "unicode" | "deepNest" | "delete" | "addField";
export type TextMutation = "duplicateKey" | "truncate";
export type Mutation = ValueMutation | TextMutation;

/** Mutates one random field of `root` in place; returns what it did. */
export function mutateValue(root: unknown, rng: Rng, kind: ValueMutation): string {
  const all = paths(root);
  if (all.length === 0) return "none";
  const path = pick(rng, all);
  const parent = parentOf(root, path);
  if (!parent) return "none";
  const key = path[path.length - 1]!;
  const where = path.join(".");
  switch (kind) {
    case "wrongType":
      parent[key] = structuredClone(pick(rng, WRONG_TYPES));
      break;
    case "hugeString":
      parent[key] = hugeString();
      break;
    case "number":
      parent[key] = pick(rng, NUMBERS);
      break;
    case "unicode": {
      const u = pick(rng, UNICODE);
      const old = parent[key];
      parent[key] = typeof old === "string" && rng() < 0.5 ? old + u : u;
      // Unicode in keys as well, now and then.
      if (!Array.isArray(parent) && rng() < 0.3) parent[u] = parent[key];
      break;
    }
    case "deepNest":
      parent[key] = deepNest(500);
      break;
    case "delete":
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      break;
    case "addField":
      if (Array.isArray(parent)) parent.push(structuredClone(pick(rng, WRONG_TYPES)));
      else parent[`${String(key)}${pick(rng, ["", "X", "_", " "])}extra`] = pick(rng, WRONG_TYPES);
      break;
  }
  return `${kind}@${where}`;
}

/** Inserts a duplicate of one `"key":` of the text just before it, with another value: JSON.parse keeps the last. */
export function duplicateKey(text: string, rng: Rng): string {
  const re = /"([^"\\]{1,64})":/g;
  const hits: Array<{ index: number; key: string }> = [];
  for (let m = re.exec(text); m && hits.length < 2000; m = re.exec(text)) hits.push({ index: m.index, key: m[1]! });
  if (hits.length === 0) return text;
  const h = pick(rng, hits);
  // Duplicate first (JSON.parse keeps the original, later value) or last (the junk wins).
  const junk = JSON.stringify(pick(rng, WRONG_TYPES));
  if (rng() < 0.5) return `${text.slice(0, h.index)}"${h.key}":${junk},${text.slice(h.index)}`;
  // After the original value: find the value's end crudely by the next comma or brace at depth 0 is
  // costly; insert before the next `,"` instead (may land inside a nested object: still a duplicate key somewhere).
  const next = text.indexOf(',"', h.index + h.key.length + 3);
  if (next < 0) return `${text.slice(0, h.index)}"${h.key}":${junk},${text.slice(h.index)}`;
  return `${text.slice(0, next)},"${h.key}":${junk}${text.slice(next)}`;
}

export function truncate(text: string, rng: Rng): string {
  return text.slice(0, Math.floor(rng() * text.length));
}

const VALUE_MUTATIONS: ReadonlyArray<[ValueMutation, number]> = [
  ["wrongType", 30],
  ["hugeString", 1],
  ["number", 15],
  ["unicode", 15],
  ["deepNest", 3],
  ["delete", 25],
  ["addField", 8],
];

function weighted<T>(rng: Rng, items: ReadonlyArray<[T, number]>): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = rng() * total;
  for (const [item, w] of items) if ((r -= w) < 0) return item;
  return items[items.length - 1]![0];
}

export interface Mutated {
  text: string;
  mutations: string[];
}

/**
 * `value` (not modified) serialized after 1 to 3 value mutations, then now and then a textual one
 * (a duplicated key, 8%; truncated text, 6%).
 */
export function mutateJson(value: unknown, rng: Rng): Mutated {
  const copy = structuredClone(value);
  const mutations: string[] = [];
  const n = int(rng, 1, 3);
  for (let i = 0; i < n; i++) mutations.push(mutateValue(copy, rng, weighted(rng, VALUE_MUTATIONS)));
  let text = JSON.stringify(copy) ?? "null";
  const t = rng();
  if (t < 0.08) {
    text = duplicateKey(text, rng);
    mutations.push("duplicateKey");
  } else if (t < 0.14) {
    text = truncate(text, rng);
    mutations.push(`truncate@${text.length}`);
  }
  return { text, mutations };
}
