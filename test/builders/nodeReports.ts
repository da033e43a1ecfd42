/**
 * A realistic NodeReport for tests: the XD670's 8× H100 (topo -m fixture, inventory from the agent's
 * --query-gpu fixture, whose GPUs 6 and 7 run MIG), GPU 6 split 3g + 3×1g (the h100-pcie -lgi fixture's
 * layout, moved to GPU 6), two latency tenants, one throttle on the batch pod next to the violated
 * one, three vLLM replicas. Each part can be replaced through `over`.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseGpuQuery, parseMigGpuInstances } from "../../core/gpu/index.js";
import {
  CONDITION_DEGRADED,
  CONDITION_READY,
  migLayoutFromInstances,
  migModeForReport,
  NODE_REPORT_API_VERSION,
  NODE_REPORT_KIND,
  nodeReportStatus,
  withTopologyHash,
  type NodeReportStatus,
  type NodeReportTopology,
  type ReplicaReport,
} from "../../core/nodeReport/index.js";
import { parseTopoMatrix, topologyReportFromMatrix } from "../../core/topology/index.js";

const fixturesDir = fileURLToPath(new URL("../fixtures/node/", import.meta.url));
const fixture = (name: string): string => readFileSync(fixturesDir + name, "utf8");

export const NODE = "gpu-node-7";
export const NODE_UID = "5f0c8a52-1d3e-4b7a-9c21-7a0e4d6b2f10";
export const HEARTBEAT = "2025-03-01T12:00:00Z";
export const TENANT_UID = "0b8f3c1e-7a52-4e9d-b6a1-3f2c9d8e4a01";
export const BATCH_UID = "6d2e9a47-3c18-4f0b-8e5a-1b7c4d9f2e03";

const gpus = parseGpuQuery(fixture("nvidia-smi-query-gpu_agent-query_SYNTHETIC.csv"));
const uuid = (index: number): string => gpus.find((g) => g.index === index)!.uuid;

export function xd670Topology(): NodeReportTopology {
  const base = topologyReportFromMatrix(
    parseTopoMatrix(fixture("nvidia-smi-topo-m_hgx-h100-80gb_hpe-xd670.txt")),
    gpus.map((g) => ({ index: g.index, busId: g.busId, uuid: g.uuid, model: g.name ?? undefined, memoryMiB: g.memoryTotalMiB ?? undefined })),
    { numaNodes: [{ id: 0, distances: [10, 21] }, { id: 1, distances: [21, 10] }] },
  );
  return withTopologyHash({
    ...base,
    gpus: base.gpus.map((g) => {
      const mode = migModeForReport(gpus.find((q) => q.index === g.index)!.migMode);
      const migDevices =
        g.index === 6
          ? ["3g.40gb", "1g.10gb", "1g.10gb", "1g.10gb"].map((profile, deviceIndex) => ({ uuid: `MIG-6a4f0c2e-91b3-5d7e-a8c4-00000000000${deviceIndex}`, profile, deviceIndex }))
          : undefined;
      return { ...g, migMode: mode, ...(migDevices && { migDevices }) };
    }),
  });
}

/** A vLLM replica; `n` makes its UID. */
export function replica(name: string, n: number, over: Partial<ReplicaReport> = {}): ReplicaReport {
  return {
    namespace: "inference",
    pod: name,
    uid: `9c1d4e7f-2a3b-4c5d-8e9f-${String(n).padStart(12, "0")}`,
    model: "meta-llama/Llama-3.1-8B-Instruct",
    gpus: [uuid(4)],
    windowSeconds: 30,
    requestRate: 4.2,
    arrivalRate: 4.5,
    avgInputTokens: 812.5,
    avgOutputTokens: 231,
    ttftP99Ms: 420,
    ttftMeanMs: 96.4,
    itlMeanMs: 11.8,
    running: 7,
    waiting: 0,
    ...over,
  };
}

export function aNodeReportStatus(over: Partial<Omit<NodeReportStatus, "summary">> = {}): NodeReportStatus {
  // -lgi from the h100-pcie capture (3g.40gb + 3×1g.10gb on GPU 0), placed on the report's GPU 6; one default CI per GI.
  const gis = parseMigGpuInstances(fixture("nvidia-smi-mig-lgi_h100-pcie_3g+3x1g.txt")).map((gi) => ({ ...gi, gpu: 6 }));
  const cis = gis.map((gi) => ({ gpu: 6, gpuInstanceId: gi.gpuInstanceId, profile: gi.profile, profileId: 0, computeInstanceId: 0, placement: { start: 0, size: gi.placement?.size ?? 1 } }));
  return nodeReportStatus({
    topology: xd670Topology(),
    allocation: [
      { gpu: uuid(0), resource: "nvidia.com/gpu", namespace: "team-a", pod: "chat-api-0", container: "server" },
      { gpu: uuid(0), resource: "nvidia.com/gpu", namespace: "batch", pod: "embed-job-7xk2p", container: "worker" },
      { gpu: uuid(4), resource: "nvidia.com/gpu", namespace: "inference", pod: "llama-8b-0", container: "vllm" },
      { gpu: "MIG-6a4f0c2e-91b3-5d7e-a8c4-000000000001", resource: "nvidia.com/mig-1g.10gb", namespace: "team-b", pod: "search-1", container: "server" },
    ],
    migLayout: migLayoutFromInstances(gis, cis),
    tenants: [
      { namespace: "team-a", pod: "chat-api-0", uid: TENANT_UID, gpu: uuid(0), sloMs: 100, latency: "e2e", p99Ms: 187.5, samples: 1240, state: "violated", since: "2025-03-01T11:58:30Z" },
      { namespace: "team-b", pod: "search-1", uid: "4e7a1b9c-5d2f-4a8e-9b3c-6f1d2e8a7c05", gpu: "MIG-6a4f0c2e-91b3-5d7e-a8c4-000000000001", sloMs: 250, latency: "ttft", p99Ms: null, samples: 0, state: "unknown", since: null },
    ],
    throttles: [
      {
        namespace: "batch",
        pod: "embed-job-7xk2p",
        uid: BATCH_UID,
        file: "io.max",
        path: `kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${BATCH_UID.replace(/-/g, "_")}.slice/io.max`,
        original: "",
        applied: "259:0 rbps=262144000 wbps=262144000 riops=max wiops=max",
        victimUid: TENANT_UID,
        since: "2025-03-01T11:59:00Z",
        expiresAt: "2025-03-01T12:09:00Z",
      },
    ],
    replicas: [replica("llama-8b-0", 0), replica("llama-8b-1", 1, { requestRate: 0, arrivalRate: 0, avgInputTokens: null, avgOutputTokens: null, ttftP99Ms: null, ttftMeanMs: null, itlMeanMs: null, running: 0, gpus: [uuid(5)] }), replica("qwen-0", 2, { model: "Qwen/Qwen3-0.6B", gpus: [uuid(1)], requestRate: null, arrivalRate: null })],
    agent: { version: "0.1.0", dryRun: false, heartbeat: HEARTBEAT, pollIntervalSeconds: 30, problems: ["metrics team-b/search-1: no requests in the window"] },
    conditions: [
      { type: CONDITION_READY, status: "True", lastTransitionTime: "2025-03-01T09:00:00Z", reason: "Reported", message: "topology, tenants and replicas read" },
      { type: CONDITION_DEGRADED, status: "False", lastTransitionTime: "2025-03-01T09:00:00Z", reason: "AllInputsAnswered", message: "" },
    ],
    ...over,
  });
}

/** The whole object, as the API server would return it after both applies. */
export function aNodeReport(status: NodeReportStatus = aNodeReportStatus()): Record<string, unknown> {
  return {
    apiVersion: NODE_REPORT_API_VERSION,
    kind: NODE_REPORT_KIND,
    metadata: {
      name: NODE,
      uid: "e3a1c7d9-0000-4000-8000-000000000042",
      resourceVersion: "12345",
      ownerReferences: [{ apiVersion: "v1", kind: "Node", name: NODE, uid: NODE_UID }],
    },
    spec: { nodeName: NODE },
    status,
  };
}
