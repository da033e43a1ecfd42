/** Public surface of extender/spend/sources: the SpendSource port and its adapters. */
export type { SpendFigures, SpendSource } from "./port.js";
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_SOURCE_TIMEOUT_MS } from "./getJson.js";
export { OPENCOST_ALLOCATION_PATH, OpenCostSpendSource, type OpenCostSourceOptions } from "./opencost.js";
export { PROMETHEUS_QUERY_PATH, PrometheusSpendSource, type PrometheusSourceOptions } from "./prometheus.js";
export { LedgerSpendSource, type LedgerSourceOptions } from "./ledger.js";
export { FixedSpendSource } from "./fixed.js";
export { displayUrl } from "./sourceError.js";
