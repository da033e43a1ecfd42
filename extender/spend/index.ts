/** Public surface of extender/spend: the spend loop, its config, store, metrics and status API. */
export {
  DEFAULT_SPEND_PERIOD_S,
  MAX_SPEND_PERIOD_S,
  SPEND_CONFIG_PATH,
  SPEND_SOURCE_KINDS,
  SpendLoopConfig,
  spendControllerConfig,
  spendOptions,
  type SpendSourceKind,
} from "./config.js";
export { spendSourceFromConfig, type SpendSourceDeps } from "./sourceFromConfig.js";
export { parseSpendRecord, SqliteSpendStates, type SpendRecord, type SpendStates } from "./stateStore.js";
export { FOLLOWER_REFRESH_MS, SpendLoop, type SpendCycle, type SpendLoopDeps, type SpendLoopFailure, type SpendLoopOptions } from "./loop.js";
export { SpendMetrics, type SpendCycleResult } from "./metrics.js";
export { createSpendLoop, type SpendLoopWiring } from "./createSpendLoop.js";
export { createSpendStatusApi, spendStatus, type SpendStatus } from "./statusApi.js";
export { DEFAULT_LEDGER_SAMPLE_MS, LEDGER_RETENTION_MS, UsageLedger, type LedgerSample, type UsageLedgerDeps } from "./usageLedger.js";
