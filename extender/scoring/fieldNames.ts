/**
 * Field aliases of the scoring API. The seed served three request shapes (README, its library schemas,
 * its observer agent; seed spec §C.7) and our own callers use camelCase, so each field has several
 * accepted spellings. Bodies are rewritten to one canonical (camelCase) spelling before validation, and
 * every error names the field the way the client spelt it.
 */
import type { z } from "zod";

/** Canonical field name → accepted spellings; the first one names a field the client left out. */
export type AliasTable = Readonly<Record<string, readonly string[]>>;

export interface InputProblem {
  /** Path as the client spelt it, e.g. `candidate_gpu_types[2]`. */
  field: string;
  /** Starts with the field: `candidate_gpu_types: must hold at least one GPU type`. */
  message: string;
}

/** Remembers, per object in the body, which spelling the client used for each canonical field. */
export class Spellings {
  readonly #used = new Map<string, string>();

  /** Client-facing path for a canonical one (`["jobs", 2, "jobType"]` → `jobs[2].job_type`). */
  display(path: readonly PropertyKey[], tables: ReadonlyMap<string, AliasTable>): string {
    let out = "";
    const at: PropertyKey[] = [];
    for (const seg of path) {
      if (typeof seg === "number") out += `[${seg}]`;
      else {
        const name = String(seg);
        const key = this.#used.get(keyOf([...at, name])) ?? tables.get(tableKeyOf(at))?.[name]?.[0] ?? name;
        out += out === "" ? key : `.${key}`;
      }
      at.push(seg);
    }
    return out === "" ? "body" : out;
  }

  /** Same, for a core ScoringInputError field such as `candidateGpuTypes[0]` or `runtimeS`. */
  displayDotted(field: string, tables: ReadonlyMap<string, AliasTable>, renames: Readonly<Record<string, string>> = {}): string {
    const path: PropertyKey[] = [];
    for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) path.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
    if (typeof path[0] === "string") path[0] = renames[path[0]] ?? path[0];
    return this.display(path, tables);
  }

  record(at: readonly PropertyKey[], canonical: string, spelt: string): void {
    this.#used.set(keyOf([...at, canonical]), spelt);
  }
}

const keyOf = (path: readonly PropertyKey[]): string => path.map(String).join("\u0000");
/** Tables are registered per object position with array indices wildcarded: `jobs.*`. */
export const tableKeyOf = (path: readonly PropertyKey[]): string => path.map((s) => (typeof s === "number" ? "*" : String(s))).join(".");

/**
 * Copies `body` with aliased keys renamed to their canonical names, recursing into the objects
 * `tables` names by position. Unknown keys are kept (the schema strips them). Two spellings of one
 * field with different values are refused, since either choice would silently drop the other.
 */
export function canonicalize(
  body: unknown,
  tables: ReadonlyMap<string, AliasTable>,
  spellings: Spellings,
  at: PropertyKey[] = [],
): { value: unknown } | { problem: InputProblem } {
  if (Array.isArray(body)) {
    const out: unknown[] = [];
    for (const [i, item] of body.entries()) {
      const r = canonicalize(item, tables, spellings, [...at, i]);
      if ("problem" in r) return r;
      out.push(r.value);
    }
    return { value: out };
  }
  const table = tables.get(tableKeyOf(at));
  if (table === undefined || typeof body !== "object" || body === null) return { value: body };
  const src = body as Record<string, unknown>;
  const out: Record<string, unknown> = { ...src };
  for (const [canonical, spellingsOf] of Object.entries(table)) {
    const present = spellingsOf.filter((s) => Object.hasOwn(src, s) && src[s] !== undefined);
    const first = present[0];
    if (first === undefined) continue;
    const clash = present.find((s) => JSON.stringify(src[s]) !== JSON.stringify(src[first]));
    if (clash !== undefined) {
      const field = spellings.display([...at, first], tables);
      return { problem: { field, message: `${field}: given twice with different values (${first} and ${clash})` } };
    }
    for (const s of spellingsOf) delete out[s];
    const r = canonicalize(src[first], tables, spellings, [...at, canonical]);
    if ("problem" in r) return r;
    out[canonical] = r.value;
    spellings.record(at, canonical, first);
  }
  return { value: out };
}

/** One line per zod issue, each naming the field as the client spelt it. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], spellings: Spellings, tables: ReadonlyMap<string, AliasTable>): InputProblem {
  const problems = issues.map((i) => ({ field: spellings.display(i.path, tables), message: issueMessage(i) }));
  return { field: problems[0]?.field ?? "body", message: problems.map((p) => `${p.field}: ${p.message}`).join("; ") };
}

function issueMessage(issue: z.core.$ZodIssue): string {
  // zod words a missing field as "expected string, received undefined"; clients read "required" faster.
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) return "required";
  return issue.message.replace(/^Invalid input: /, "").replace(/^Too (small|big): /, "");
}
