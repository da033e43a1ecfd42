/**
 * The contract every KubePorts implementation honours. Run against the in-memory adapters
 * (memory.test.ts) and against the client-node adapters talking HTTP to the fake API server
 * (clientNode.test.ts). `store` is what the "cluster" holds: seeded and read back directly.
 */
import { V1MicroTime, type V1Lease } from "@kubernetes/client-node";
import type { Operation } from "fast-json-patch";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseNodeReport, type NodeReportStatus } from "../../../core/nodeReport/index.js";
import type { ManualClock } from "../../../platform/clock.js";
import { ConflictError, InvalidError, KubeApiError, NotFoundError } from "../../../platform/kube/errors.js";
import type { MemoryObjectStore, WireObject } from "../../../platform/kube/memoryStore.js";
import { CONFIG_MAPS, EVENTS, LEASES, SECRETS } from "../../../platform/kube/memory.js";
import { DEPLOYMENTS } from "../../../platform/kube/memoryDeployments.js";
import { NODE_REPORTS } from "../../../platform/kube/nodeReports.js";
import type { EventRecord, GroupVersionResource, KubePorts, WatchEvent } from "../../../platform/kube/ports.js";
import { withTopologyHash } from "../../../core/nodeReport/index.js";
import { aNodeReportStatus, NODE, NODE_UID, replica } from "../../builders/nodeReports.js";
import { loadJob } from "../../builders/reviews.js";

export interface KubeFixture {
  ports: KubePorts;
  store: MemoryObjectStore;
  clock: ManualClock;
  /** What the EventRecorder's onError received. */
  eventErrors: unknown[];
  close(): Promise<void>;
}

export type KubeFixtureFactory = () => Promise<KubeFixture>;

export const PYTORCHJOBS: GroupVersionResource = { group: "kubeflow.org", version: "v1", plural: "pytorchjobs" };
export const APPWRAPPERS: GroupVersionResource = { group: "workload.codeflare.dev", version: "v1beta2", plural: "appwrappers" };
export const GATE_ANNOTATION = "kueue.x-k8s.io/admission-gated-by";
export const OUR_GATE = "gpu-steward.io/rightsizing";
/** The patch the gate loop sends once a job is rightsized: remove our gate, but only if it is still ours. */
export const GATE_REMOVAL: Operation[] = [
  { op: "test", path: "/metadata/annotations/kueue.x-k8s.io~1admission-gated-by", value: OUR_GATE },
  { op: "remove", path: "/metadata/annotations/kueue.x-k8s.io~1admission-gated-by" },
];
/** 2025-03-01T12:00:00.250Z: a millisecond part, so MicroTime formatting is exercised. */
export const START_MS = Date.UTC(2025, 2, 1, 12, 0, 0, 250);

/** kueue's sample PyTorchJob (test/fixtures/jobs), moved to `namespace`/`name` with extra metadata. */
export function aPyTorchJob(namespace: string, name: string, meta: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): WireObject {
  const job = loadJob("jobs/kueue_sample-pytorchjob.yaml");
  const metadata = (job["metadata"] ?? {}) as Record<string, unknown>;
  return {
    ...job,
    metadata: {
      name,
      namespace,
      labels: { ...((metadata["labels"] as Record<string, string> | undefined) ?? {}), ...meta.labels },
      ...(meta.annotations ? { annotations: meta.annotations } : {}),
    },
  };
}

/** A vLLM-style Deployment managed by the inference autoscaler (labels as in the inferno control loop). */
export function aDeployment(namespace: string, name: string, labels: Record<string, string>, replicas: number, nodeSelector?: Record<string, string>): WireObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { ...(nodeSelector && { nodeSelector }), containers: [{ name: "vllm", image: "vllm/vllm-openai:v0.8.5" }] },
      },
    },
  };
}

const jobEvent = (over: Partial<EventRecord> = {}): EventRecord => ({
  regarding: { apiVersion: "kubeflow.org/v1", kind: "PyTorchJob", namespace: "team-a", name: "job-1", uid: "6f1c8a52-0000-4000-8000-000000000001" },
  type: "Normal",
  reason: "RightsizingApplied",
  message: "4 GPUs per worker, 2 workers (embedded recommender)",
  ...over,
});

const annotations = (obj: WireObject | undefined): Record<string, string> | undefined =>
  (obj?.["metadata"] as { annotations?: Record<string, string> } | undefined)?.annotations;
const nameOf = (obj: WireObject): string => String((obj["metadata"] as { name?: string }).name);
const versionOf = (obj: WireObject | undefined): string | undefined => (obj?.["metadata"] as { resourceVersion?: string } | undefined)?.resourceVersion;

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

export function kubePortsContract(adapterName: string, factory: KubeFixtureFactory): void {
  describe(`KubePorts contract: ${adapterName}`, () => {
    let f: KubeFixture;
    beforeEach(async () => {
      f = await factory();
    });
    afterEach(async () => {
      await f.close();
    });

    describe("EventRecorder", () => {
      it("creates a core/v1 Event in the object's namespace, filled from the record and the clock", async () => {
        await f.ports.events.record(jobEvent());
        const [event, ...more] = f.store.list(EVENTS, { namespace: "team-a" });
        expect(more).toEqual([]);
        expect(f.eventErrors).toEqual([]);
        expect(event).toMatchObject({
          apiVersion: "v1",
          kind: "Event",
          metadata: { namespace: "team-a", generateName: "job-1." },
          involvedObject: { apiVersion: "kubeflow.org/v1", kind: "PyTorchJob", namespace: "team-a", name: "job-1", uid: "6f1c8a52-0000-4000-8000-000000000001" },
          type: "Normal",
          reason: "RightsizingApplied",
          action: "RightsizingApplied",
          message: "4 GPUs per worker, 2 workers (embedded recommender)",
          count: 1,
          source: { component: "gpu-steward" },
          reportingComponent: "gpu-steward.io/controller",
          reportingInstance: "steward-0",
          firstTimestamp: "2025-03-01T12:00:00.250Z",
          lastTimestamp: "2025-03-01T12:00:00.250Z",
          eventTime: "2025-03-01T12:00:00.250000Z",
        });
        expect(nameOf(event as WireObject)).toMatch(/^job-1\.[a-z0-9]{5}$/);
      });

      it("uses the given action and keeps Warning events apart", async () => {
        await f.ports.events.record(jobEvent({ type: "Warning", reason: "JobUnreadable", action: "Admit", message: "no training container" }));
        await f.ports.events.record(jobEvent());
        const events = f.store.list(EVENTS, { namespace: "team-a" });
        expect(events.map((e) => [e["type"], e["reason"], e["action"]])).toEqual(
          expect.arrayContaining([
            ["Warning", "JobUnreadable", "Admit"],
            ["Normal", "RightsizingApplied", "RightsizingApplied"],
          ]),
        );
      });

      it("truncates the message to the API server's 1024-byte limit without splitting a character", async () => {
        await f.ports.events.record(jobEvent({ message: "é".repeat(600) }));
        const [event] = f.store.list(EVENTS, { namespace: "team-a" });
        expect(event?.["message"]).toBe("é".repeat(512));
        expect(f.eventErrors).toEqual([]);
      });

      it("sends events about cluster-scoped objects to the default namespace", async () => {
        await f.ports.events.record(jobEvent({ regarding: { apiVersion: "v1", kind: "Node", namespace: "", name: "gpu-node-1" } }));
        const [event] = f.store.list(EVENTS, { namespace: "default" });
        expect(event).toMatchObject({ metadata: { namespace: "default", generateName: "gpu-node-1." }, involvedObject: { kind: "Node", name: "gpu-node-1" } });
        expect((event?.["involvedObject"] as Record<string, unknown>)["namespace"]).toBeUndefined();
      });

      it("resolves when the API call fails, reporting the error to onError", async () => {
        f.store.failNext("create", EVENTS, new KubeApiError(500, "InternalError", "etcdserver: request timed out"));
        await expect(f.ports.events.record(jobEvent())).resolves.toBeUndefined();
        expect(f.eventErrors).toHaveLength(1);
        expect(f.eventErrors[0]).toBeInstanceOf(KubeApiError);
        expect((f.eventErrors[0] as KubeApiError).statusCode).toBe(500);
        expect(f.store.list(EVENTS, {})).toEqual([]);
      });
    });

    describe("CustomObjects", () => {
      beforeEach(() => {
        f.store.create(PYTORCHJOBS, "team-a", aPyTorchJob("team-a", "job-1", { labels: { "gpu-steward.io/job-type": "lora" }, annotations: { [GATE_ANNOTATION]: OUR_GATE, "team.example/owner": "alice" } }));
        f.store.create(PYTORCHJOBS, "team-a", aPyTorchJob("team-a", "job-2", { labels: { "gpu-steward.io/job-type": "full" } }));
        f.store.create(PYTORCHJOBS, "team-b", aPyTorchJob("team-b", "job-3", { labels: { "gpu-steward.io/job-type": "lora" } }));
      });

      it("gets an object, and undefined for a missing one", async () => {
        const job = await f.ports.customObjects.get(PYTORCHJOBS, "team-a", "job-1");
        expect(job).toMatchObject({ apiVersion: "kubeflow.org/v1", kind: "PyTorchJob", metadata: { name: "job-1", namespace: "team-a" } });
        expect(await f.ports.customObjects.get(PYTORCHJOBS, "team-a", "absent")).toBeUndefined();
        expect(await f.ports.customObjects.get(PYTORCHJOBS, "team-b", "job-1")).toBeUndefined();
      });

      it.each([
        { opts: { namespace: "team-a" }, want: ["job-1", "job-2"] },
        { opts: {}, want: ["job-1", "job-2", "job-3"] },
        { opts: { labelSelector: "gpu-steward.io/job-type=lora" }, want: ["job-1", "job-3"] },
        { opts: { namespace: "team-a", labelSelector: "gpu-steward.io/job-type in (lora,full),kueue.x-k8s.io/queue-name" }, want: ["job-1", "job-2"] },
        { opts: { labelSelector: "gpu-steward.io/job-type!=lora" }, want: ["job-2"] },
        { opts: { namespace: "team-c" }, want: [] },
      ])("lists with $opts", async ({ opts, want }) => {
        const jobs = await f.ports.customObjects.list(PYTORCHJOBS, opts);
        expect(jobs.map(nameOf).sort()).toEqual(want);
      });

      it("removes the rightsizing gate with a test-guarded JSON patch and returns the patched object", async () => {
        const before = f.store.get(PYTORCHJOBS, "team-a", "job-1");
        const patched = await f.ports.customObjects.jsonPatch(PYTORCHJOBS, "team-a", "job-1", GATE_REMOVAL);
        expect(annotations(patched)).toEqual({ "team.example/owner": "alice" });
        expect(versionOf(patched)).not.toBe(versionOf(before));
        expect(f.store.get(PYTORCHJOBS, "team-a", "job-1")).toEqual(patched);
      });

      it("rejects the gate removal with InvalidError, changing nothing, when the gate is no longer ours", async () => {
        await f.ports.customObjects.jsonPatch(PYTORCHJOBS, "team-a", "job-1", [{ op: "replace", path: "/metadata/annotations/kueue.x-k8s.io~1admission-gated-by", value: "other.io/gate" }]);
        const before = f.store.get(PYTORCHJOBS, "team-a", "job-1");
        const err = await rejection(f.ports.customObjects.jsonPatch(PYTORCHJOBS, "team-a", "job-1", GATE_REMOVAL));
        expect(err).toBeInstanceOf(InvalidError);
        expect((err as InvalidError).statusCode).toBe(422);
        expect(f.store.get(PYTORCHJOBS, "team-a", "job-1")).toEqual(before);
      });

      it("rejects removing a gate that is already gone", async () => {
        await f.ports.customObjects.jsonPatch(PYTORCHJOBS, "team-a", "job-1", GATE_REMOVAL);
        expect(await rejection(f.ports.customObjects.jsonPatch(PYTORCHJOBS, "team-a", "job-1", GATE_REMOVAL))).toBeInstanceOf(InvalidError);
      });

      it("throws NotFoundError when patching a missing object", async () => {
        expect(await rejection(f.ports.customObjects.jsonPatch(PYTORCHJOBS, "team-a", "absent", GATE_REMOVAL))).toBeInstanceOf(NotFoundError);
      });

      it("patches AppWrappers under their own group and version", async () => {
        f.store.create(APPWRAPPERS, "team-a", { apiVersion: "workload.codeflare.dev/v1beta2", kind: "AppWrapper", metadata: { name: "aw-1" }, spec: { components: [] } });
        const patched = await f.ports.customObjects.jsonPatch(APPWRAPPERS, "team-a", "aw-1", [{ op: "add", path: "/metadata/labels", value: { "autoconf-plugin-done": "yes" } }]);
        expect(patched).toMatchObject({ kind: "AppWrapper", metadata: { labels: { "autoconf-plugin-done": "yes" } } });
      });
    });

    describe("NodeReports", () => {
      const OWNER = { apiVersion: "v1", kind: "Node", name: NODE, uid: NODE_UID };
      const stored = (): WireObject | undefined => f.store.get(NODE_REPORTS, "", NODE);
      const statusOf = (obj: WireObject | undefined): unknown => obj?.["status"];
      const later = (status: NodeReportStatus, heartbeat: string): NodeReportStatus => ({ ...status, agent: { ...status.agent, heartbeat } });

      it("creates the report on first apply: owned by its Node, labelled, with spec and status", async () => {
        const status = aNodeReportStatus();
        const returned = await f.ports.nodeReports.apply(NODE, NODE_UID, { status });
        const obj = stored();
        expect(obj).toMatchObject({
          apiVersion: "gpu-steward.io/v1alpha1",
          kind: "NodeReport",
          metadata: { name: NODE, labels: { "app.kubernetes.io/managed-by": "gpu-steward-agent" }, ownerReferences: [OWNER] },
          spec: { nodeName: NODE },
        });
        expect((obj?.["metadata"] as Record<string, unknown>)["namespace"]).toBeUndefined();
        expect(statusOf(obj)).toEqual(status);
        expect(returned).toEqual(obj);
        expect(parseNodeReport(obj).status).toEqual(status);
      });

      it("replaces the status on the next apply, dropping what is no longer sent (but the topology, which has its own manager), with a new resourceVersion", async () => {
        const first = await f.ports.nodeReports.apply(NODE, NODE_UID, { status: aNodeReportStatus() });
        const { topology, ...rest } = aNodeReportStatus({ tenants: aNodeReportStatus().tenants.slice(0, 1), replicas: [replica("llama-8b-0", 0, { requestRate: 9.5 })] });
        const next = later({ ...rest, summary: { ...rest.summary, gpus: 0 } }, "2025-03-01T12:00:30Z");
        const second = await f.ports.nodeReports.apply(NODE, NODE_UID, { status: next });
        expect(statusOf(stored())).toEqual({ ...next, topology });
        expect(versionOf(second)).not.toBe(versionOf(first));
        expect(versionOf(stored())).toBe(versionOf(second));
        expect((stored()?.["metadata"] as { ownerReferences: unknown }).ownerReferences).toEqual([OWNER]);
      });

      it("writes the topology again only when its hash changes", async () => {
        await f.ports.nodeReports.apply(NODE, NODE_UID, { status: aNodeReportStatus() });
        const { hash, ...topology } = aNodeReportStatus().topology!;
        const changed = withTopologyHash({ ...topology, gpus: topology.gpus.map((g) => (g.index === 0 ? { ...g, migMode: "enabled" as const } : g)) });
        await f.ports.nodeReports.apply(NODE, NODE_UID, { status: aNodeReportStatus({ topology: changed }) });
        expect((statusOf(stored()) as { topology: { hash: string; gpus: Array<{ migMode: string }> } }).topology).toMatchObject({ hash: changed.hash, gpus: expect.arrayContaining([expect.objectContaining({ index: 0, migMode: "enabled" })]) });
        expect(changed.hash).not.toBe(hash);
      });

      it("writes nothing when nothing changed: same resourceVersion", async () => {
        const status = aNodeReportStatus();
        const first = await f.ports.nodeReports.apply(NODE, NODE_UID, { status });
        const second = await f.ports.nodeReports.apply(NODE, NODE_UID, { status: structuredClone(status) });
        expect(versionOf(second)).toBe(versionOf(first));
      });

      it("points the ownerReference at the Node's new uid when the Node was re-registered", async () => {
        await f.ports.nodeReports.apply(NODE, NODE_UID, { status: aNodeReportStatus() });
        await f.ports.nodeReports.apply(NODE, "7a9e2c14-0000-4000-8000-000000000099", { status: aNodeReportStatus() });
        expect((stored()?.["metadata"] as { ownerReferences: unknown }).ownerReferences).toEqual([{ ...OWNER, uid: "7a9e2c14-0000-4000-8000-000000000099" }]);
      });

      it("creates the report again when it was deleted since the last apply", async () => {
        await f.ports.nodeReports.apply(NODE, NODE_UID, { status: aNodeReportStatus() });
        f.store.delete(NODE_REPORTS, "", NODE);
        const status = later(aNodeReportStatus(), "2025-03-01T12:00:30Z");
        await f.ports.nodeReports.apply(NODE, NODE_UID, { status });
        expect(stored()).toMatchObject({ metadata: { ownerReferences: [OWNER] }, spec: { nodeName: NODE }, status: { agent: { heartbeat: "2025-03-01T12:00:30Z" } } });
      });

      it("gets a report, undefined for a node without one, and lists them all", async () => {
        await f.ports.nodeReports.apply(NODE, NODE_UID, { status: aNodeReportStatus() });
        await f.ports.nodeReports.apply("gpu-node-8", "8b0f3d25-0000-4000-8000-000000000008", { status: aNodeReportStatus() });
        expect(await f.ports.nodeReports.get(NODE)).toEqual(stored());
        expect(await f.ports.nodeReports.get("gpu-node-9")).toBeUndefined();
        expect((await f.ports.nodeReports.list()).map(nameOf)).toEqual([NODE, "gpu-node-8"].sort());
      });

      it("surfaces a refused apply (403) as a typed KubeApiError, storing nothing", async () => {
        f.store.failNext("patch", NODE_REPORTS, new KubeApiError(403, "Forbidden", 'nodereports.gpu-steward.io "gpu-node-7" is forbidden: User "system:serviceaccount:gpu-steward:agent" cannot patch resource'));
        const err = await rejection(f.ports.nodeReports.apply(NODE, NODE_UID, { status: aNodeReportStatus() }));
        expect(err).toBeInstanceOf(KubeApiError);
        expect((err as KubeApiError).statusCode).toBe(403);
        expect((err as KubeApiError).reason).toBe("Forbidden");
        expect((err as KubeApiError).code).toBe("KUBE_API");
        expect(stored()).toBeUndefined();
      });

      it("refuses a status the schema refuses with InvalidError naming the field, sending nothing", async () => {
        const bad = aNodeReportStatus();
        (bad.tenants[0] as { state: string }).state = "ok";
        const err = await rejection(f.ports.nodeReports.apply(NODE, NODE_UID, { status: bad }));
        expect(err).toBeInstanceOf(InvalidError);
        expect((err as InvalidError).message).toMatch(/^NodeReport "gpu-node-7" is invalid: status\.tenants\.0\.state: /);
        expect(stored()).toBeUndefined();
      });

      it("refuses a status over the size budget, and a spec naming another node", async () => {
        // 256 replicas holding 64 long device ids each: about 2 MB.
        const gpus = Array.from({ length: 64 }, (_, i) => `GPU-${String(i).padStart(100, "0")}`);
        const huge = aNodeReportStatus({ replicas: Array.from({ length: 256 }, (_, i) => replica(`vllm-${i}`, i, { gpus })) });
        const tooBig = await rejection(f.ports.nodeReports.apply(NODE, NODE_UID, { status: huge }));
        expect(tooBig).toBeInstanceOf(InvalidError);
        expect((tooBig as InvalidError).message).toMatch(/^NodeReport "gpu-node-7" is invalid: status: \d+ bytes, over the 524288-byte budget/);
        const elsewhere = await rejection(f.ports.nodeReports.apply(NODE, NODE_UID, { spec: { nodeName: "gpu-node-8" }, status: aNodeReportStatus() }));
        expect((elsewhere as InvalidError).message).toBe('NodeReport "gpu-node-7" is invalid: spec.nodeName: expected gpu-node-7, the object\'s name');
        expect(stored()).toBeUndefined();
      });

      it("is followed by list + watch: the report as listed, then its next apply as MODIFIED", async () => {
        await f.ports.nodeReports.apply(NODE, NODE_UID, { status: aNodeReportStatus() });
        const listed = await f.ports.watches.nodeReports.list();
        expect(f.ports.watches.nodeReports.resource).toBe("nodereports");
        expect(listed.items.map((o) => nameOf(o as WireObject))).toEqual([NODE]);
        expect(listed.resourceVersion).toBe(versionOf(stored()));
        const events: WatchEvent[] = [];
        const stop = new AbortController();
        const watching = f.ports.watches.nodeReports.watch({ resourceVersion: listed.resourceVersion }, (e) => events.push(e), stop.signal);
        await vi.waitFor(() => expect(f.store.watcherCount(NODE_REPORTS)).toBe(1));
        await f.ports.nodeReports.apply(NODE, NODE_UID, { status: later(aNodeReportStatus(), "2025-03-01T12:00:30Z") });
        await vi.waitFor(() => expect(events.filter((e) => e.type !== "BOOKMARK")).toHaveLength(1));
        const [event] = events;
        expect(event?.type).toBe("MODIFIED");
        expect(((event?.object as WireObject)["status"] as NodeReportStatus).agent.heartbeat).toBe("2025-03-01T12:00:30Z");
        stop.abort();
        await watching;
      });
    });

    describe("Deployments", () => {
      const managed = { "inferno.server.managed": "true", "inferno.server.name": "vllm-001", "inferno.server.allocation.accelerator": "A100" };
      beforeEach(() => {
        f.store.create(DEPLOYMENTS, "infer", aDeployment("infer", "premium-llama", managed, 2, { "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB", zone: "a" }));
        f.store.create(DEPLOYMENTS, "infer", aDeployment("infer", "web", { app: "web" }, 1));
        f.store.create(DEPLOYMENTS, "other", aDeployment("other", "bronze-granite", { ...managed, "inferno.server.name": "vllm-002" }, 3));
      });
      const replicasOf = (ns: string, name: string): unknown => (f.store.get(DEPLOYMENTS, ns, name)?.["spec"] as { replicas?: number }).replicas;

      it.each([
        { opts: { labelSelector: "inferno.server.managed=true" }, want: ["bronze-granite", "premium-llama"] },
        { opts: { namespace: "infer" }, want: ["premium-llama", "web"] },
        { opts: { namespace: "infer", labelSelector: "inferno.server.managed=true" }, want: ["premium-llama"] },
        { opts: {}, want: ["bronze-granite", "premium-llama", "web"] },
      ])("lists with $opts", async ({ opts, want }) => {
        const found = await f.ports.deployments.list(opts);
        expect(found.map((d) => d.metadata?.name).sort()).toEqual(want);
        expect(found.every((d) => typeof d.metadata?.uid === "string")).toBe(true);
      });

      it("gets a Deployment with its labels, replicas and node selector; undefined when missing", async () => {
        const d = await f.ports.deployments.get("infer", "premium-llama");
        expect(d?.metadata?.labels).toEqual(managed);
        expect(d?.spec?.replicas).toBe(2);
        expect(d?.spec?.template.spec?.nodeSelector).toEqual({ "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB", zone: "a" });
        expect(d?.metadata?.creationTimestamp).toBeInstanceOf(Date);
        expect(await f.ports.deployments.get("infer", "absent")).toBeUndefined();
      });

      it("scales through the scale subresource, changing only the replicas", async () => {
        const before = f.store.get(DEPLOYMENTS, "infer", "premium-llama");
        expect(await f.ports.deployments.scale("infer", "premium-llama", 5)).toBe(5);
        const after = f.store.get(DEPLOYMENTS, "infer", "premium-llama");
        expect(replicasOf("infer", "premium-llama")).toBe(5);
        expect(after?.["metadata"]).toMatchObject({ labels: managed });
        expect(versionOf(after)).not.toBe(versionOf(before));
        expect(await f.ports.deployments.scale("infer", "premium-llama", 0)).toBe(0);
      });

      it.each([-1, 1.5])("refuses to scale to %s with InvalidError, changing nothing", async (replicas) => {
        expect(await rejection(f.ports.deployments.scale("infer", "premium-llama", replicas))).toBeInstanceOf(InvalidError);
        expect(replicasOf("infer", "premium-llama")).toBe(2);
      });

      it("throws NotFoundError when scaling or changing a missing Deployment", async () => {
        expect(await rejection(f.ports.deployments.scale("infer", "absent", 1))).toBeInstanceOf(NotFoundError);
        expect(await rejection(f.ports.deployments.change("infer", "absent", { labels: { a: "b" } }))).toBeInstanceOf(NotFoundError);
      });

      it("merges labels (creating missing ones, null removing) and the node selector, leaving the rest", async () => {
        const patched = await f.ports.deployments.change("infer", "premium-llama", {
          labels: { "inferno.server.allocation.accelerator": "H100", "inferno.server.allocation.maxbatchsize": "64", "inferno.server.managed": null },
          nodeSelector: { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3" },
        });
        expect(patched.metadata?.labels).toEqual({ "inferno.server.name": "vllm-001", "inferno.server.allocation.accelerator": "H100", "inferno.server.allocation.maxbatchsize": "64" });
        expect(patched.spec?.template.spec?.nodeSelector).toEqual({ "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3", zone: "a" });
        expect(patched.spec?.replicas).toBe(2);
        expect(patched.spec?.template.spec?.containers).toHaveLength(1);
        expect(f.store.get(DEPLOYMENTS, "infer", "premium-llama")?.["metadata"]).toMatchObject({ labels: patched.metadata?.labels });
      });

      it("creates the node selector when the pod template has none", async () => {
        const patched = await f.ports.deployments.change("other", "bronze-granite", { nodeSelector: { "nvidia.com/gpu.product": "NVIDIA-L4" } });
        expect(patched.spec?.template.spec?.nodeSelector).toEqual({ "nvidia.com/gpu.product": "NVIDIA-L4" });
        expect(patched.metadata?.labels).toEqual({ ...managed, "inferno.server.name": "vllm-002" });
      });

      it("throws typed errors the API server answers", async () => {
        f.store.failNext("patch", DEPLOYMENTS, new KubeApiError(403, "Forbidden", 'deployments.apps "premium-llama" is forbidden'));
        const err = await rejection(f.ports.deployments.change("infer", "premium-llama", { labels: { a: "b" } }));
        expect((err as KubeApiError).statusCode).toBe(403);
      });
    });

    describe("ConfigMaps", () => {
      it("returns the data map, {} for a ConfigMap without data, undefined when missing", async () => {
        f.store.create(CONFIG_MAPS, "team-a", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "sft-config" }, data: { "config.json": '{"num_train_epochs": 3}' } });
        f.store.create(CONFIG_MAPS, "team-a", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "empty" } });
        expect(await f.ports.configMaps.get("team-a", "sft-config")).toEqual({ "config.json": '{"num_train_epochs": 3}' });
        expect(await f.ports.configMaps.get("team-a", "empty")).toEqual({});
        expect(await f.ports.configMaps.get("team-a", "absent")).toBeUndefined();
      });

      it("apply creates the ConfigMap, then replaces its data and labels", async () => {
        await f.ports.configMaps.apply("gpu-steward", "gpu-steward-state", { "state.json": "{\"a\":1}" }, { "app.kubernetes.io/name": "gpu-steward" });
        const first = f.store.get(CONFIG_MAPS, "gpu-steward", "gpu-steward-state");
        expect(first).toMatchObject({ kind: "ConfigMap", data: { "state.json": '{"a":1}' }, metadata: { labels: { "app.kubernetes.io/name": "gpu-steward" } } });
        await f.ports.configMaps.apply("gpu-steward", "gpu-steward-state", { "state.json": "{\"a\":2}" });
        const second = f.store.get(CONFIG_MAPS, "gpu-steward", "gpu-steward-state");
        expect(second?.["data"]).toEqual({ "state.json": '{"a":2}' });
        expect(versionOf(second)).not.toBe(versionOf(first));
        expect(await f.ports.configMaps.get("gpu-steward", "gpu-steward-state")).toEqual({ "state.json": '{"a":2}' });
        expect(f.store.list(CONFIG_MAPS, { namespace: "gpu-steward" })).toHaveLength(1);
      });

      it("apply surfaces a refused write as a typed error", async () => {
        f.store.failNext("create", CONFIG_MAPS, new KubeApiError(403, "Forbidden", 'configmaps is forbidden: cannot create resource "configmaps"'));
        const err = await rejection(f.ports.configMaps.apply("gpu-steward", "gpu-steward-state", { "state.json": "{}" }));
        expect(err).toBeInstanceOf(KubeApiError);
        expect((err as KubeApiError).statusCode).toBe(403);
      });

      it("throws typed errors other than 404", async () => {
        f.store.failNext("get", CONFIG_MAPS, new KubeApiError(403, "Forbidden", 'configmaps "sft-config" is forbidden'));
        const err = await rejection(f.ports.configMaps.get("team-a", "sft-config"));
        expect(err).toBeInstanceOf(KubeApiError);
        expect((err as KubeApiError).statusCode).toBe(403);
      });
    });

    describe("Secrets", () => {
      const tls = { "tls.crt": Buffer.from("cert-1").toString("base64"), "tls.key": Buffer.from("key-1").toString("base64") };

      it("creates the Secret with its type and data", async () => {
        await f.ports.secrets.apply("gpu-steward", "serving-cert", "kubernetes.io/tls", tls);
        expect(f.store.get(SECRETS, "gpu-steward", "serving-cert")).toMatchObject({ kind: "Secret", type: "kubernetes.io/tls", data: tls });
      });

      it("replaces the data of an existing Secret", async () => {
        await f.ports.secrets.apply("gpu-steward", "serving-cert", "kubernetes.io/tls", tls);
        const first = f.store.get(SECRETS, "gpu-steward", "serving-cert");
        const rotated = { "tls.crt": Buffer.from("cert-2").toString("base64"), "tls.key": Buffer.from("key-2").toString("base64") };
        await f.ports.secrets.apply("gpu-steward", "serving-cert", "kubernetes.io/tls", rotated);
        const second = f.store.get(SECRETS, "gpu-steward", "serving-cert");
        expect(second?.["data"]).toEqual(rotated);
        expect(versionOf(second)).not.toBe(versionOf(first));
        expect(f.store.list(SECRETS, { namespace: "gpu-steward" })).toHaveLength(1);
      });

      it("refuses data that is not base64", async () => {
        const err = await rejection(f.ports.secrets.apply("gpu-steward", "serving-cert", "Opaque", { key: "not base64!" }));
        expect((err as KubeApiError).statusCode).toBe(400);
      });
    });

    describe("Leases", () => {
      const lease = (over: Partial<NonNullable<V1Lease["spec"]>> = {}): V1Lease => ({
        metadata: { namespace: "gpu-steward", name: "gpu-steward-controller" },
        spec: {
          holderIdentity: "steward-0",
          leaseDurationSeconds: 15,
          acquireTime: new V1MicroTime(START_MS),
          renewTime: new V1MicroTime(START_MS),
          leaseTransitions: 0,
          ...over,
        },
      });

      it("returns undefined for a missing Lease", async () => {
        expect(await f.ports.leases.get("gpu-steward", "gpu-steward-controller")).toBeUndefined();
      });

      it("creates a Lease and reads it back with MicroTime times", async () => {
        const created = await f.ports.leases.create(lease());
        const read = await f.ports.leases.get("gpu-steward", "gpu-steward-controller");
        expect(read?.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
        expect(read?.spec).toMatchObject({ holderIdentity: "steward-0", leaseDurationSeconds: 15, leaseTransitions: 0 });
        expect(read?.spec?.renewTime).toBeInstanceOf(V1MicroTime);
        expect(read?.spec?.renewTime?.getTime()).toBe(START_MS);
        expect(f.store.get(LEASES, "gpu-steward", "gpu-steward-controller")?.["spec"]).toMatchObject({ renewTime: "2025-03-01T12:00:00.250000Z" });
      });

      it("accepts a plain Date where a MicroTime belongs", async () => {
        await f.ports.leases.create(lease({ renewTime: new Date(START_MS) }));
        expect(f.store.get(LEASES, "gpu-steward", "gpu-steward-controller")?.["spec"]).toMatchObject({ renewTime: "2025-03-01T12:00:00.250000Z" });
      });

      it("throws ConflictError (AlreadyExists) when creating an existing Lease", async () => {
        await f.ports.leases.create(lease());
        const err = await rejection(f.ports.leases.create(lease({ holderIdentity: "steward-1" })));
        expect(err).toBeInstanceOf(ConflictError);
        expect((err as ConflictError).reason).toBe("AlreadyExists");
      });

      it("replaces with the current resourceVersion and refuses a stale one with ConflictError", async () => {
        const created = await f.ports.leases.create(lease());
        const renewed = await f.ports.leases.replace({ ...created, spec: { ...created.spec, renewTime: new V1MicroTime(START_MS + 2_000) } });
        expect(renewed.spec?.renewTime?.getTime()).toBe(START_MS + 2_000);
        expect(renewed.metadata?.resourceVersion).not.toBe(created.metadata?.resourceVersion);
        const err = await rejection(f.ports.leases.replace({ ...created, spec: { ...created.spec, holderIdentity: "steward-1" } }));
        expect(err).toBeInstanceOf(ConflictError);
        expect((err as ConflictError).reason).toBe("Conflict");
        expect((await f.ports.leases.get("gpu-steward", "gpu-steward-controller"))?.spec?.holderIdentity).toBe("steward-0");
      });

      it("throws NotFoundError when replacing a missing Lease", async () => {
        expect(await rejection(f.ports.leases.replace(lease()))).toBeInstanceOf(NotFoundError);
      });
    });
  });
}
