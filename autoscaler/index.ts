/** autoscaler public surface: the controller, its config, and the pieces tests and the CLI compose. */
export { AutoscalerConfig, AUTOSCALER_LEASE } from "./config.js";
export { startAutoscaler, type AutoscalerDeps, type RunningAutoscaler } from "./controller.js";
export { AutoscalerCycle, type CycleReport } from "./cycle.js";
export { collect, listManaged, type ManagedServer } from "./collector.js";
export { decide, type ActuationPolicy, type Decision } from "./decisions.js";
export { actuate, type Actuation, type ActuationResult } from "./actuator.js";
export { capacityFromNodes, nodeAcceleratorType, ACCELERATOR_TYPE_LABEL } from "./capacity.js";
export { PrometheusLoadSource, type LoadSource, type Measurement } from "./loadSource.js";
export { vllmQueries, type SeriesMatch } from "./vllmQueries.js";
export { serverDocument, type ServerDocument } from "./serverDocument.js";
export { LABEL_KEYS, MIN_REPLICAS_LABEL, KEEP_ACCELERATOR_LABEL } from "./labels.js";
export { deploymentOfPod, FirstMeasured, NodeReportLoadSource } from "./nodeReportLoad.js";
export { LoadEmulator, type EmulatedChange } from "./emulator.js";
