/** Counts of one fuzz run: outcomes, failures by kind, latencies, and the first failing inputs. */
export interface FailureExample {
  index: number;
  kind: string;
  detail: string;
  input: string;
}

export class Tally {
  readonly outcomes = new Map<string, number>();
  readonly failures = new Map<string, number>();
  readonly latencies: number[] = [];
  readonly examples: FailureExample[] = [];
  sent = 0;
  /** Answers carrying a non-empty patch (webhook) that went through apply/schema/second pass. */
  patched = 0;
  elapsedMs = 0;

  outcome(kind: string): void {
    this.outcomes.set(kind, (this.outcomes.get(kind) ?? 0) + 1);
  }

  fail(kind: string, index: number, detail: string, input: string): void {
    this.failures.set(kind, (this.failures.get(kind) ?? 0) + 1);
    if (this.examples.filter((e) => e.kind === kind).length < 3) {
      this.examples.push({ index, kind, detail: detail.slice(0, 2000), input: input.length > 4000 ? `${input.slice(0, 4000)}… (${input.length} chars)` : input });
    }
  }

  failureCount(kind?: string): number {
    if (kind !== undefined) return this.failures.get(kind) ?? 0;
    let n = 0;
    for (const v of this.failures.values()) n += v;
    return n;
  }
}
