/**
 * Public surface of the launcher reader/rewriter: how a fine-tuning container starts
 * fms-hf-tuning, and how to make it start on a new GPU layout.
 */
export { readLaunch } from "./read.js";
export { rewriteLaunch } from "./rewrite.js";
export type { ContainerSpec, LaunchReading, LaunchReadResult, LaunchRewrite, LaunchSettings, LaunchTarget, LauncherKind } from "./types.js";
