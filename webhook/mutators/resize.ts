import { readLaunch, rewriteLaunch } from "../../core/sizing/launcher/index.js";
import type { LaunchReading, LaunchTarget } from "../../core/sizing/launcher/types.js";
import type { Recommendation } from "../../core/sizing/types.js";
import { GPU_RESOURCE, trainingContainer } from "../jobInputs.js";
import { cloneJson } from "./copyOnWrite.js";
import { raiseCpu, setGpus, upsertEnv } from "./resources.js";
import type { Container, PyTorchJob, ReplicaSpec } from "./shapes.js";

export interface ResizeOptions {
  cpuPerGpu: number;
  patchCpu: boolean;
  envPrefix: string;
}

/** Operator-injected variables (KFTO envvar.go) a launcher may use for its machine count. */
const OPERATOR_VARS = /\$\{?(WORLD_SIZE|PET_NNODES)\b/;

function usesOperatorMachineCount(container: Container): boolean {
  return [...(container.command ?? []), ...(container.args ?? [])].some((w) => OPERATOR_VARS.test(w));
}

function applyLaunch(container: Container, reading: LaunchReading | undefined, target: LaunchTarget): void {
  if (reading === undefined) return;
  const rewrite = rewriteLaunch(container, reading, target);
  if (rewrite.command !== undefined) container.command = rewrite.command;
  if (rewrite.args !== undefined) container.args = rewrite.args;
  if (rewrite.env !== undefined) container.env = rewrite.env as Container["env"];
}

function sameStrings(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  return a.every((v, i) => v === b[i]);
}

/** Same command, args and literal env: the launch reads the same. */
function sameLaunch(a: Container, b: Container): boolean {
  if (!sameStrings(a.command, b.command) || !sameStrings(a.args, b.args)) return false;
  const ea = a.env ?? [];
  const eb = b.env ?? [];
  return ea.length === eb.length && ea.every((e, i) => e.name === eb[i]!.name && e.value === eb[i]!.value && e.valueFrom === undefined && eb[i]!.valueFrom === undefined);
}

function sizeReplica(replica: ReplicaSpec, rec: Recommendation, opts: ResizeOptions, primary: { container: Container; reading: LaunchReading }): void {
  const { container } = trainingContainer(replica.template.spec);
  const target: LaunchTarget = { workers: rec.workers, gpusPerWorker: rec.gpusPerWorker, perDeviceBatch: rec.perDeviceBatch };
  // Workers usually run the Master's exact command; only re-read when theirs differs.
  let reading: LaunchReading | undefined = primary.reading;
  if (container !== primary.container && !sameLaunch(container, primary.container)) {
    const own = readLaunch(container);
    reading = own.ok ? own.reading : undefined;
  }
  applyLaunch(container, reading, target);
  setGpus(container, GPU_RESOURCE, rec.gpusPerWorker);
  if (opts.patchCpu) raiseCpu(container, opts.cpuPerGpu, rec.gpusPerWorker);
  const p = opts.envPrefix;
  const total = rec.workers * rec.gpusPerWorker;
  upsertEnv(container, `${p}NUM_GPUS`, String(rec.gpusPerWorker));
  upsertEnv(container, `${p}TOTAL_GPUS`, String(total));
  upsertEnv(container, `${p}NUM_PROCESSES`, String(Math.max(1, total)));
  upsertEnv(container, `${p}NUM_MACHINES`, String(rec.workers));
  upsertEnv(container, `${p}PER_DEVICE_BATCH_SIZE`, String(rec.perDeviceBatch));
}

/**
 * Rewrites a PyTorchJob (mutated in place; pass a clone) to `rec`: Master 1 + Worker W−1 pods
 * (the Worker spec is dropped at 0 — KFTO still starts a pod for `replicas: 0`, training-operator
 * #1709 — and copied from Master when first needed), GPUs, CPU, output env and launcher flags.
 */
export function resizePyTorchJob(job: PyTorchJob, rec: Recommendation, primary: "Master" | "Worker", reading: LaunchReading, opts: ResizeOptions): void {
  const specs = job.spec.pytorchReplicaSpecs;
  // Read before any edit: the primary's launch as admitted.
  const primaryContainer = cloneJson(trainingContainer(specs[primary]!.template.spec).container);
  const operatorMachines = usesOperatorMachineCount(primaryContainer);

  if (primary === "Master") {
    specs.Master!.replicas = 1;
    if (rec.workers <= 1) {
      delete specs.Worker;
    } else {
      specs.Worker ??= structuredClone(specs.Master!);
      specs.Worker.replicas = rec.workers - 1;
    }
  } else {
    specs.Worker!.replicas = rec.workers;
  }
  for (const replica of [specs.Master, specs.Worker]) {
    if (replica) sizeReplica(replica, rec, opts, { container: primaryContainer, reading });
  }

  // KFTO: WORLD_SIZE = pods × int(nprocPerNode), and "auto" counts pods. A launcher that takes its
  // machine count from WORLD_SIZE needs "auto"; an integer must follow the new GPUs per pod.
  const nproc = job.spec.nprocPerNode;
  if (operatorMachines && nproc !== undefined && nproc !== "auto") job.spec.nprocPerNode = "auto";
  else if (nproc !== undefined && /^\d+$/.test(nproc) && Number(nproc) !== rec.gpusPerWorker) job.spec.nprocPerNode = String(rec.gpusPerWorker);
}
