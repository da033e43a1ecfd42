/**
 * Where the spend loop reads what the credit pool has cost: the two figures the control law is fed
 * each cycle (core/spend `SpendSample`). Adapters: OpenCost, Prometheus, the embedded ledger, and a
 * fixed one for tests and standalone runs.
 */
import type { SpendSample } from "../../../core/spend/index.js";

export type SpendFigures = Pick<SpendSample, "monthToDateUsd" | "dailyRateUsd">;

export interface SpendSource {
  /** `opencost`, `prometheus`, `ledger`, `fixed`: for logs and the `source` metric label. */
  readonly name: string;
  /**
   * Month-to-date spend of the pool at `nowMs` (billing month of the configured calendar) and its
   * average daily rate over the lookback ending at `nowMs`. Rejects with `StewardError("SPEND_SOURCE")`
   * when the source cannot answer; never with anything else for a source's fault.
   */
  read(nowMs: number, signal?: AbortSignal): Promise<SpendFigures>;
}
