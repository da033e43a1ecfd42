/**
 * Reader for the Prometheus text exposition format (version 0.0.4), enough of it to take histograms and
 * gauges from an inference server's `/metrics`: comments and HELP/TYPE lines, label sets with escaped
 * values, float values including `+Inf`, `-Inf` and `NaN`, and an optional timestamp (ignored). A line
 * that does not parse is skipped and reported, so one odd family does not cost the tenant its latency.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface ExpositionProblem {
  /** 1-based line number in the text handed in. */
  readonly line: number;
  readonly problem: string;
}

export interface Exposition {
  readonly samples: Sample[];
  /** Family name → declared type (`histogram`, `counter`, …) from `# TYPE` lines. */
  readonly types: ReadonlyMap<string, string>;
  readonly problems: ExpositionProblem[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Go's ParseFloat spellings that exporters emit; anything else must be a plain decimal. */
export function parseSampleValue(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === "+inf" || lower === "inf" || lower === "+infinity" || lower === "infinity") return Number.POSITIVE_INFINITY;
  if (lower === "-inf" || lower === "-infinity") return Number.NEGATIVE_INFINITY;
  if (lower === "nan") return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

class LineCursor {
  pos = 0;
  constructor(readonly text: string) {}
  skipSpace(): void {
    while (this.text[this.pos] === " " || this.text[this.pos] === "\t") this.pos++;
  }
  take(re: RegExp): string | undefined {
    const m = re.exec(this.text.slice(this.pos));
    if (m === null) return undefined;
    this.pos += m[0].length;
    return m[0];
  }
  peek(): string | undefined {
    return this.text[this.pos];
  }
  rest(): string {
    return this.text.slice(this.pos);
  }
}

function readLabelValue(c: LineCursor): string {
  if (c.peek() !== '"') throw new Error("label value must start with a double quote");
  c.pos++;
  let out = "";
  for (;;) {
    const ch = c.peek();
    if (ch === undefined) throw new Error("label value is not closed");
    c.pos++;
    if (ch === '"') return out;
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const esc = c.peek();
    c.pos++;
    if (esc === "n") out += "\n";
    else if (esc === "\\" || esc === '"') out += esc;
    else throw new Error(`unknown escape \\${esc ?? ""} in label value`);
  }
}

function readLabels(c: LineCursor): Record<string, string> {
  const labels: Record<string, string> = {};
  c.pos++; // "{"
  for (;;) {
    c.skipSpace();
    if (c.peek() === "}") {
      c.pos++;
      return labels;
    }
    const name = c.take(LABEL_NAME);
    if (name === undefined) throw new Error(`bad label name at "${c.rest().slice(0, 20)}"`);
    c.skipSpace();
    if (c.peek() !== "=") throw new Error(`label ${name} has no "="`);
    c.pos++;
    c.skipSpace();
    if (Object.hasOwn(labels, name)) throw new Error(`label ${name} appears twice`);
    labels[name] = readLabelValue(c);
    c.skipSpace();
    if (c.peek() === ",") c.pos++;
    else if (c.peek() !== "}") throw new Error(`expected "," or "}" after label ${name}`);
  }
}

function readSample(line: string): Sample {
  const c = new LineCursor(line);
  const name = c.take(NAME);
  if (name === undefined) throw new Error("line does not start with a metric name");
  c.skipSpace();
  const labels = c.peek() === "{" ? readLabels(c) : {};
  c.skipSpace();
  const fields = c.rest().trim().split(/[ \t]+/);
  if (fields.length < 1 || fields.length > 2 || fields[0] === "") throw new Error("expected a value and at most a timestamp");
  const value = parseSampleValue(fields[0]!);
  if (value === undefined) throw new Error(`value "${fields[0]!}" is not a number`);
  return { name, labels, value };
}

/** The metric name a sample line starts with (up to `{`, a space or a tab), without parsing the rest. */
function lineName(line: string): string {
  let end = 0;
  while (end < line.length) {
    const ch = line.charCodeAt(end);
    if (ch === 123 /* { */ || ch === 32 || ch === 9) break;
    end++;
  }
  return line.slice(0, end);
}

/**
 * `wanted`: when given, only samples whose metric name it accepts are parsed; the others are skipped
 * before their labels are read (a vLLM server exports ~40 families, the agent reads ~10), so an
 * unwanted line costs one scan for its name and is never reported as a problem.
 */
export function parseExposition(text: string, wanted?: (metricName: string) => boolean): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const problems: ExpositionProblem[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    if (line.startsWith("#")) {
      const m = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m !== null) types.set(m[1]!, m[2]!);
      return;
    }
    if (wanted !== undefined && !wanted(lineName(line))) return;
    try {
      samples.push(readSample(line));
    } catch (err) {
      problems.push({ line: i + 1, problem: (err as Error).message });
    }
  });
  return { samples, types, problems };
}
