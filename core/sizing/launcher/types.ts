/**
 * Contract of the launcher reader/rewriter: how a fine-tuning container starts fms-hf-tuning, what
 * it asks for, and how to rewrite it for a new GPU layout. Pure; the webhook supplies file contents
 * (e.g. a ConfigMap mounted at SFT_TRAINER_CONFIG_JSON_PATH) through `files`.
 */

/** The subset of a core/v1 Container the reader needs. */
export interface ContainerSpec {
  name?: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
}

export type LauncherKind =
  | "accelerate" // accelerate launch … -m tuning.sft_trainer | tuning/sft_trainer.py
  | "torchrun" // torchrun / python -m torch.distributed.run … -m tuning.sft_trainer
  | "python" // python -m tuning.sft_trainer (single process)
  | "config-json"; // fms-hf-tuning image entrypoint reading SFT_TRAINER_CONFIG_JSON_ENV_VAR / _PATH

/** Trainer and launcher values as read (after $VAR/${VAR} resolution from literal env). */
export interface LaunchSettings {
  modelNameOrPath?: string;
  peftMethod?: string; // raw value: lora | none | pt | alora
  maxSeqLength?: number;
  perDeviceBatch?: number;
  gradientAccumulationSteps?: number;
  loraRank?: number;
  loraTargetModules?: string[];
  torchDtype?: string;
  gradientCheckpointing?: boolean;
  useFlashAttn?: boolean;
  /** Total processes across machines (accelerate --num_processes; torchrun nnodes × nproc_per_node). */
  numProcesses?: number;
  numMachines?: number;
  /** torchrun --nproc_per_node. */
  nprocPerNode?: number;
}

export interface LaunchReading {
  kind: LauncherKind;
  settings: LaunchSettings;
  /** Where the per-device batch lives; false when it cannot be rewritten (a mounted JSON file). */
  perDeviceBatchRewritable: boolean;
  /** Workers the launcher can run on (config-json without machine args: 1). */
  maxWorkers?: number;
  /** Human-readable notes about what was assumed (defaults used, vars unresolved). */
  notes: string[];
}

export type LaunchReadResult =
  | { ok: true; reading: LaunchReading }
  | { ok: false; reason: string };

/** The new layout the container must launch with. */
export interface LaunchTarget {
  workers: number;
  gpusPerWorker: number;
  perDeviceBatch: number;
}

/** Replacement command/args/env for the container; fields absent stay as they are. */
export interface LaunchRewrite {
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
}
