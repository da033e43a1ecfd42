/**
 * Parses a shell script with mvdan-sh and reduces its syntax tree to what the launcher reader
 * needs: every simple command's words (with their parts' kinds and byte spans) and every plain
 * variable assignment.
 *
 * Why the tree is read through `__internal_object__`: mvdan-sh is a GopherJS build, and its
 * documented node API (`syntax.Walk`, field access on the returned nodes) wraps every Go value in
 * a reflective JS proxy on each access. On a 20-line accelerate script that costs ~20 ms, against
 * ~0.7 ms for the parse itself. The Go structs underneath are plain JS objects (field names as in
 * mvdan.cc/sh/v3/syntax, slices as {$array,$offset,$length}, nil pointers as `T.nil`), and reading
 * them directly brings the whole step to ~1 ms. mvdan-sh 0.10.1 is the last JS release, so this
 * layout is fixed; a layout we do not recognise is reported as an error, never guessed at.
 */
import sh from "mvdan-sh";

/** A word part: its mvdan-sh node type (`Lit`, `SglQuoted`, `DblQuoted`, `ParamExp`, …) and byte span. */
export interface RawPart {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  /** `$'…'` for SglQuoted. */
  readonly dollar: boolean;
  /** Inner parts of a DblQuoted. */
  readonly parts: readonly RawPart[];
}

export interface RawWord {
  readonly start: number;
  readonly end: number;
  readonly parts: readonly RawPart[];
}

export interface RawAssign {
  readonly name: string;
  /** Byte offset of the assignment, to know which calls it precedes. */
  readonly offset: number;
  /** undefined: `X=` (empty). */
  readonly value?: RawWord;
  /** `X+=…` or `X=(…)`: not a plain value. */
  readonly complex: boolean;
}

export interface RawCall {
  readonly offset: number;
  readonly words: readonly RawWord[];
}

export type ShellParse = { readonly ok: true; readonly calls: RawCall[]; readonly assigns: RawAssign[] } | { readonly ok: false; readonly error: string };

/** A Go value as GopherJS lays it out. */
interface GoValue {
  readonly constructor: { readonly string?: string; readonly nil?: unknown };
  readonly [field: string]: unknown;
}
interface GoNode extends GoValue {
  Pos(): { Offset(): number };
  End(): { Offset(): number };
}
interface GoSlice {
  readonly $array: readonly unknown[];
  readonly $offset: number;
  readonly $length: number;
}

class UnknownLayout extends Error {}

const parser = sh.syntax.NewParser();

function isNode(value: unknown): value is GoNode {
  if (value === null || typeof value !== "object") return false;
  const v = value as GoValue;
  // Nil pointers are sentinel objects; `Pos` structs and other values have no Pos() method.
  return v.constructor?.string?.startsWith("*syntax.") === true && v !== v.constructor.nil && typeof v.Pos === "function";
}

function isSlice(value: unknown): value is GoSlice {
  return value !== null && typeof value === "object" && "$array" in value && "$length" in value;
}

function items(value: unknown): unknown[] {
  if (!isSlice(value)) throw new UnknownLayout("expected a Go slice");
  return value.$array.slice(value.$offset, value.$offset + value.$length);
}

function typeOf(node: GoNode): string {
  return node.constructor.string!.slice("*syntax.".length);
}

function part(node: GoNode): RawPart {
  const type = typeOf(node);
  return {
    type,
    start: node.Pos().Offset(),
    end: node.End().Offset(),
    dollar: type === "SglQuoted" && node.Dollar === true,
    parts: type === "DblQuoted" ? items(node.Parts).filter(isNode).map(part) : [],
  };
}

function word(node: GoNode): RawWord {
  return { start: node.Pos().Offset(), end: node.End().Offset(), parts: items(node.Parts).filter(isNode).map(part) };
}

function assign(node: GoNode): RawAssign | undefined {
  const name = node.Name;
  if (node.Naked === true || !isNode(name) || typeof name.Value !== "string") return undefined;
  const value = isNode(node.Value) ? word(node.Value) : undefined;
  return { name: name.Value, offset: node.Pos().Offset(), ...(value && { value }), complex: node.Append === true || isNode(node.Array) };
}

const DECLARING = new Set(["export", "declare", "typeset", "local", "readonly"]);

function visit(node: GoNode, calls: RawCall[], assigns: RawAssign[]): void {
  const type = typeOf(node);
  if (type === "CallExpr") {
    const args = items(node.Args).filter(isNode);
    // Bare `X=1` sets a shell variable; `X=1 cmd` only the command's environment.
    if (args.length === 0) for (const a of items(node.Assigns).filter(isNode)) pushDefined(assigns, assign(a));
    else calls.push({ offset: node.Pos().Offset(), words: args.map(word) });
  } else if (type === "DeclClause") {
    const variant = node.Variant;
    if (isNode(variant) && DECLARING.has(String(variant.Value))) for (const a of items(node.Args).filter(isNode)) pushDefined(assigns, assign(a));
    return;
  }
  // Everything else (statements, `&&`/`||`, pipelines, subshells, if/for/case bodies, functions,
  // `$(…)` inside words) is searched through its fields, in declaration (= source) order.
  for (const key of Object.keys(node)) {
    if (key === "$val") continue;
    const value = node[key];
    if (isNode(value)) visit(value, calls, assigns);
    else if (isSlice(value)) for (const item of items(value)) if (isNode(item)) visit(item, calls, assigns);
  }
}

function pushDefined<T>(list: T[], value: T | undefined): void {
  if (value !== undefined) list.push(value);
}

/** Parses `script`; byte offsets refer to its UTF-8 encoding. Never throws. */
export function parseShell(script: string): ShellParse {
  let file: unknown;
  try {
    file = (parser.Parse(script, "") as unknown as { __internal_object__?: unknown }).__internal_object__;
  } catch (e) {
    // mvdan-sh throws Go ParseError objects whose Error() reads "line:col: message".
    const message = typeof (e as sh.ParseError | undefined)?.Error === "function" ? (e as sh.ParseError).Error() : String(e);
    return { ok: false, error: message };
  }
  try {
    if (!isNode(file) || typeOf(file) !== "File") throw new UnknownLayout("no *syntax.File");
    const calls: RawCall[] = [];
    const assigns: RawAssign[] = [];
    visit(file, calls, assigns);
    return { ok: true, calls, assigns };
  } catch (e) {
    return { ok: false, error: `unrecognised mvdan-sh syntax tree (${(e as Error).message})` };
  }
}
