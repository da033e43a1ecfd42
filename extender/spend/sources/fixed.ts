/**
 * A source that answers given figures: for tests of the spend loop and for standalone runs with a
 * known spend. It does not simulate latency, partial failures or the month rolling over; `fail`
 * makes every read reject with the given error until cleared.
 */
import type { SpendFigures, SpendSource } from "./port.js";

export class FixedSpendSource implements SpendSource {
  readonly name = "fixed";
  /** Every `read` so far, by its `nowMs`. */
  readonly readsAtMs: number[] = [];
  private failure: Error | undefined;

  constructor(private figures: SpendFigures) {}

  set(figures: SpendFigures): void {
    this.figures = figures;
  }

  fail(error: Error | undefined): void {
    this.failure = error;
  }

  async read(nowMs: number): Promise<SpendFigures> {
    this.readsAtMs.push(nowMs);
    if (this.failure !== undefined) throw this.failure;
    return { ...this.figures };
  }
}
