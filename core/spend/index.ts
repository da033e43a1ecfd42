/** Public surface of core/spend: budget trajectory, simple-pid-compatible PID, control law, routing, ledger. */
export type * from "./types.js";
export { SpendInputError } from "./errors.js";
export type { BillingMonth } from "./calendar.js";
export { billingMonthAt, dateToEpochMs } from "./calendar.js";
export type { TrajectoryPoint } from "./trajectory.js";
export { idealSpend } from "./trajectory.js";
export type { PidStepResult } from "./pid.js";
export { ZERO_DT_S, freshPidState, pidStep, validatePidConfig } from "./pid.js";
export {
  DEFAULT_SPEND_CONFIG,
  NEUTRAL_BASE_PCT,
  SEED_BASELINE_PCT,
  SEED_BUDGET_USD,
  SEED_PID,
  SEED_SAFETY_MARGIN,
  SEED_SPEND_CONFIG,
} from "./defaults.js";
export { planSpend, validateSpendConfig, validateSpendSample } from "./controlLaw.js";
export type { SeedStateJson } from "./state.js";
export { freshSpendState, fromSeedStateJson, parseSpendState, toSeedStateJson, validateSpendState } from "./state.js";
export { identityHash32, routesToPool, routingBucket } from "./routing.js";
export type { GpuUsage, PoolPrices, TimeWindow } from "./ledger.js";
export { dailyRateUsd, gpuHoursInWindow, monthToDateUsd, spendByMonthUsd, spendInWindowUsd } from "./ledger.js";
