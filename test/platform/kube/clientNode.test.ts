/**
 * The client-node adapters against the fake API server: the shared contract, then what went over the
 * wire (verbs, paths, content types, bodies, auth) for the calls whose shape matters most.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../platform/clock.js";
import { kubeAdapters } from "../../../platform/kube/client.js";
import { KubeApiError } from "../../../platform/kube/errors.js";
import { CONFIG_MAPS } from "../../../platform/kube/memory.js";
import type { KubePorts } from "../../../platform/kube/ports.js";
import { createLogger } from "../../../platform/log.js";
import { DEPLOYMENTS } from "../../../platform/kube/memoryDeployments.js";
import { NODE_REPORTS } from "../../../platform/kube/nodeReports.js";
import { aNodeReport, aNodeReportStatus, NODE, NODE_UID } from "../../builders/nodeReports.js";
import { aDeployment, aPyTorchJob, GATE_ANNOTATION, GATE_REMOVAL, kubePortsContract, OUR_GATE, PYTORCHJOBS, START_MS } from "./contract.js";
import { startFakeApiServer, type FakeApiServer } from "./fakeApiServer.js";

const log = createLogger({ level: "silent" });

kubePortsContract("client-node adapters over HTTP", async () => {
  const clock = new ManualClock(START_MS);
  const server = await startFakeApiServer(clock);
  const eventErrors: unknown[] = [];
  const ports = kubeAdapters(server.kubeConfig(), log, clock, { podName: "steward-0" }, { events: { onError: (err) => eventErrors.push(err) } });
  return {
    ports,
    store: server.store,
    clock,
    eventErrors,
    async close() {
      await server.close();
      // Whatever the contract test asserted, the adapters must never have broken a protocol rule.
      expect(server.violations).toEqual([]);
    },
  };
});

describe("client-node adapters on the wire", () => {
  let server: FakeApiServer;
  let ports: KubePorts;
  let eventErrors: unknown[];

  beforeEach(async () => {
    const clock = new ManualClock(START_MS);
    server = await startFakeApiServer(clock);
    eventErrors = [];
    ports = kubeAdapters(server.kubeConfig(), log, clock, { podName: "steward-0" }, { events: { onError: (err) => eventErrors.push(err) } });
  });
  afterEach(async () => {
    await server.close();
  });

  it("sends the gate removal as PATCH application/json-patch+json with the RFC 6902 body", async () => {
    server.store.create(PYTORCHJOBS, "team-a", aPyTorchJob("team-a", "job-1", { annotations: { [GATE_ANNOTATION]: OUR_GATE } }));
    await ports.customObjects.jsonPatch(PYTORCHJOBS, "team-a", "job-1", GATE_REMOVAL);
    expect(server.requests).toEqual([
      {
        method: "PATCH",
        path: "/apis/kubeflow.org/v1/namespaces/team-a/pytorchjobs/job-1",
        query: {},
        contentType: "application/json-patch+json",
        authorization: "Bearer t",
        body: [
          { op: "test", path: "/metadata/annotations/kueue.x-k8s.io~1admission-gated-by", value: "gpu-steward.io/rightsizing" },
          { op: "remove", path: "/metadata/annotations/kueue.x-k8s.io~1admission-gated-by" },
        ],
        status: 200,
      },
    ]);
    expect(server.violations).toEqual([]);
  });

  it("scales a Deployment with PATCH …/deployments/{name}/scale, merge patch {spec:{replicas}}", async () => {
    server.store.create(DEPLOYMENTS, "infer", aDeployment("infer", "premium-llama", { "inferno.server.managed": "true" }, 2));
    expect(await ports.deployments.scale("infer", "premium-llama", 4)).toBe(4);
    expect(server.requests).toEqual([
      {
        method: "PATCH",
        path: "/apis/apps/v1/namespaces/infer/deployments/premium-llama/scale",
        query: {},
        contentType: "application/merge-patch+json",
        authorization: "Bearer t",
        body: { spec: { replicas: 4 } },
        status: 200,
      },
    ]);
    expect(server.violations).toEqual([]);
  });

  it("changes labels and the node selector with one merge patch on the Deployment", async () => {
    server.store.create(DEPLOYMENTS, "infer", aDeployment("infer", "premium-llama", { "inferno.server.managed": "true" }, 2));
    await ports.deployments.change("infer", "premium-llama", { labels: { "inferno.server.allocation.accelerator": "H100" }, nodeSelector: { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3" } });
    expect(server.requests.map(({ method, path, contentType, body }) => ({ method, path, contentType, body }))).toEqual([
      {
        method: "PATCH",
        path: "/apis/apps/v1/namespaces/infer/deployments/premium-llama",
        contentType: "application/merge-patch+json",
        body: {
          metadata: { labels: { "inferno.server.allocation.accelerator": "H100" } },
          spec: { template: { spec: { nodeSelector: { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3" } } } },
        },
      },
    ]);
  });

  it("lists managed Deployments across namespaces with the label selector in the query", async () => {
    server.store.create(DEPLOYMENTS, "infer", aDeployment("infer", "premium-llama", { "inferno.server.managed": "true" }, 2));
    await ports.deployments.list({ labelSelector: "inferno.server.managed=true" });
    expect(server.requests.map(({ method, path, query }) => ({ method, path, query }))).toEqual([
      { method: "GET", path: "/apis/apps/v1/deployments", query: { labelSelector: "inferno.server.managed=true" } },
    ]);
  });

  it("answers a failed test op with a 422 Status", async () => {
    server.store.create(PYTORCHJOBS, "team-a", aPyTorchJob("team-a", "job-1", { annotations: { [GATE_ANNOTATION]: "other.io/gate" } }));
    await expect(ports.customObjects.jsonPatch(PYTORCHJOBS, "team-a", "job-1", GATE_REMOVAL)).rejects.toThrow(/PATCH pytorchjobs.kubeflow.org team-a\/job-1/);
    expect(server.requests.map((r) => r.status)).toEqual([422]);
  });

  it("POSTs Events to the object's namespace with involvedObject, reason, type and MicroTime eventTime", async () => {
    await ports.events.record({
      regarding: { apiVersion: "kubeflow.org/v1", kind: "PyTorchJob", namespace: "team-a", name: "job-1", uid: "u-1" },
      type: "Warning",
      reason: "JobUnreadable",
      message: "no training container",
    });
    expect(eventErrors).toEqual([]);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: "POST", path: "/api/v1/namespaces/team-a/events", contentType: "application/json", authorization: "Bearer t", status: 201 });
    expect(request?.body).toMatchObject({
      metadata: { namespace: "team-a", generateName: "job-1." },
      involvedObject: { apiVersion: "kubeflow.org/v1", kind: "PyTorchJob", namespace: "team-a", name: "job-1", uid: "u-1" },
      reason: "JobUnreadable",
      type: "Warning",
      eventTime: "2025-03-01T12:00:00.250000Z",
      reportingComponent: "gpu-steward.io/controller",
      reportingInstance: "steward-0",
    });
  });

  it("lists namespaced and cluster-wide with the labelSelector query parameter", async () => {
    await ports.customObjects.list(PYTORCHJOBS, { namespace: "team-a", labelSelector: "gpu-steward.io/job-type=lora" });
    await ports.customObjects.list(PYTORCHJOBS, {});
    expect(server.requests.map((r) => [r.method, r.path, r.query])).toEqual([
      ["GET", "/apis/kubeflow.org/v1/namespaces/team-a/pytorchjobs", { labelSelector: "gpu-steward.io/job-type=lora" }],
      ["GET", "/apis/kubeflow.org/v1/pytorchjobs", {}],
    ]);
  });

  it("reads a missing object as a 404 Status and returns undefined", async () => {
    expect(await ports.configMaps.get("team-a", "absent")).toBeUndefined();
    expect(server.requests.map((r) => [r.method, r.path, r.status])).toEqual([["GET", "/api/v1/namespaces/team-a/configmaps/absent", 404]]);
    server.store.create(CONFIG_MAPS, "team-a", { metadata: { name: "present" }, data: { a: "b" } });
    expect(await ports.configMaps.get("team-a", "present")).toEqual({ a: "b" });
  });

  it("applies a Secret as POST, then on 409 GET and PUT with the read resourceVersion", async () => {
    const data = { "tls.crt": "Y2VydA==", "tls.key": "a2V5" };
    await ports.secrets.apply("gpu-steward", "serving-cert", "kubernetes.io/tls", data);
    await ports.secrets.apply("gpu-steward", "serving-cert", "kubernetes.io/tls", data);
    expect(server.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ["POST", "/api/v1/namespaces/gpu-steward/secrets", 201],
      ["POST", "/api/v1/namespaces/gpu-steward/secrets", 409],
      ["GET", "/api/v1/namespaces/gpu-steward/secrets/serving-cert", 200],
      ["PUT", "/api/v1/namespaces/gpu-steward/secrets/serving-cert", 200],
    ]);
    expect(server.requests[3]?.body).toMatchObject({ apiVersion: "v1", kind: "Secret", type: "kubernetes.io/tls", data, metadata: { name: "serving-cert", namespace: "gpu-steward", resourceVersion: "1" } });
  });

  it("writes Leases under coordination.k8s.io/v1 with six-digit MicroTimes", async () => {
    const created = await ports.leases.create({
      metadata: { namespace: "gpu-steward", name: "gpu-steward-controller" },
      spec: { holderIdentity: "steward-0", leaseDurationSeconds: 15, renewTime: new Date(START_MS) },
    });
    await ports.leases.replace({ ...created, spec: { ...created.spec, renewTime: new Date(START_MS + 2_000) } });
    expect(server.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ["POST", "/apis/coordination.k8s.io/v1/namespaces/gpu-steward/leases", 201],
      ["PUT", "/apis/coordination.k8s.io/v1/namespaces/gpu-steward/leases/gpu-steward-controller", 200],
    ]);
    expect(server.requests[1]?.body).toMatchObject({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { resourceVersion: created.metadata?.resourceVersion },
      spec: { renewTime: "2025-03-01T12:00:02.250000Z" },
    });
    expect(server.violations).toEqual([]);
  });

  describe("NodeReports", () => {
    const PATH = `/apis/gpu-steward.io/v1alpha1/nodereports/${NODE}`;
    const APPLY_QUERY = { fieldManager: "gpu-steward-agent", force: "true" };
    const raw = (method: string, path: string, contentType: string, body: string) =>
      fetch(server.url + path, { method, headers: { authorization: "Bearer t", "content-type": contentType }, body });

    it("applies the object, then the topology under its own field manager, then the rest of the status, as application/apply-patch+yaml with fieldManager and force", async () => {
      const status = aNodeReportStatus();
      const { topology, ...rest } = status;
      await ports.nodeReports.apply(NODE, NODE_UID, { status });
      expect(server.requests).toEqual([
        {
          method: "PATCH",
          path: PATH,
          query: APPLY_QUERY,
          contentType: "application/apply-patch+yaml",
          authorization: "Bearer t",
          body: {
            apiVersion: "gpu-steward.io/v1alpha1",
            kind: "NodeReport",
            metadata: {
              name: NODE,
              labels: { "app.kubernetes.io/managed-by": "gpu-steward-agent" },
              ownerReferences: [{ apiVersion: "v1", kind: "Node", name: NODE, uid: NODE_UID }],
            },
            spec: { nodeName: NODE },
          },
          status: 201,
        },
        {
          method: "PATCH",
          path: `${PATH}/status`,
          query: { fieldManager: "gpu-steward-agent-topology", force: "true" },
          contentType: "application/apply-patch+yaml",
          authorization: "Bearer t",
          body: { apiVersion: "gpu-steward.io/v1alpha1", kind: "NodeReport", metadata: { name: NODE }, status: { topology } },
          status: 200,
        },
        {
          method: "PATCH",
          path: `${PATH}/status`,
          query: APPLY_QUERY,
          contentType: "application/apply-patch+yaml",
          authorization: "Bearer t",
          body: { apiVersion: "gpu-steward.io/v1alpha1", kind: "NodeReport", metadata: { name: NODE }, status: rest },
          status: 200,
        },
      ]);
      expect(server.violations).toEqual([]);
    });

    it("sends only the status apply while the object and topology are unchanged, and all again after the object was deleted", async () => {
      await ports.nodeReports.apply(NODE, NODE_UID, { status: aNodeReportStatus() });
      await ports.nodeReports.apply(NODE, NODE_UID, { status: aNodeReportStatus() });
      server.store.delete(NODE_REPORTS, "", NODE);
      await ports.nodeReports.apply(NODE, NODE_UID, { status: aNodeReportStatus() });
      const manager = (r: { query: Record<string, string> }) => r.query["fieldManager"];
      expect(server.requests.map((r) => [r.path, manager(r), r.status])).toEqual([
        [PATH, "gpu-steward-agent", 201],
        [`${PATH}/status`, "gpu-steward-agent-topology", 200],
        [`${PATH}/status`, "gpu-steward-agent", 200],
        [`${PATH}/status`, "gpu-steward-agent", 200],
        [`${PATH}/status`, "gpu-steward-agent", 404],
        [PATH, "gpu-steward-agent", 201],
        [`${PATH}/status`, "gpu-steward-agent-topology", 200],
        [`${PATH}/status`, "gpu-steward-agent", 200],
      ]);
    });

    it("sends nothing for a status the schema refuses", async () => {
      const bad = aNodeReportStatus({ agent: { ...aNodeReportStatus().agent, heartbeat: "now" } });
      await expect(ports.nodeReports.apply(NODE, NODE_UID, { status: bad })).rejects.toThrow(/status\.agent\.heartbeat/);
      expect(server.requests).toEqual([]);
    });

    it("reads one report by name and lists them in pages with limit and continue", async () => {
      for (let i = 0; i < 501; i += 1) {
        const name = `gpu-node-${String(i).padStart(3, "0")}`;
        // Statusless objects: paging is what is tested here, not the bodies.
        server.store.create(NODE_REPORTS, "", { apiVersion: "gpu-steward.io/v1alpha1", kind: "NodeReport", metadata: { name }, spec: { nodeName: name } });
      }
      expect(await ports.nodeReports.get("gpu-node-042")).toMatchObject({ metadata: { name: "gpu-node-042" }, spec: { nodeName: "gpu-node-042" } });
      expect(await ports.nodeReports.list()).toHaveLength(501);
      const listed = await ports.watches.nodeReports.list();
      expect(listed.items).toHaveLength(501);
      expect(listed.resourceVersion).toBe("501");
      const lists = server.requests.filter((r) => r.path === "/apis/gpu-steward.io/v1alpha1/nodereports");
      expect(lists.map((r) => [r.query["limit"], r.query["continue"] === undefined])).toEqual([
        ["500", true],
        ["500", false],
        ["500", true],
        ["500", false],
      ]);
      expect(server.requests[0]).toMatchObject({ method: "GET", path: "/apis/gpu-steward.io/v1alpha1/nodereports/gpu-node-042", status: 200 });
    });

    it("is answered as the API server answers the writes it refuses", async () => {
      server.store.create(NODE_REPORTS, "", aNodeReport());
      const applied = JSON.stringify({ apiVersion: "gpu-steward.io/v1alpha1", kind: "NodeReport", metadata: { name: NODE }, spec: { nodeName: NODE } });
      const answers = [
        await raw("PATCH", `${PATH}?fieldManager=x`, "application/merge-patch+json", "{}"),
        await raw("PATCH", `${PATH}?fieldManager=x`, "application/strategic-merge-patch+json", "{}"),
        await raw("PATCH", PATH, "application/apply-patch+yaml", applied),
        await raw("PATCH", `${PATH}/status?fieldManager=x`, "application/json-patch+json", "[]"),
        await raw("PATCH", `/apis/gpu-steward.io/v1alpha1/nodereports/gpu-node-9/status?fieldManager=x&force=true`, "application/apply-patch+yaml", applied.replace(NODE, "gpu-node-9")),
        await raw("PATCH", `${PATH}?fieldManager=x&force=yes`, "application/apply-patch+yaml", applied),
        await raw("PUT", `${PATH}`, "application/json", applied),
      ];
      expect(answers.map((a) => a.status)).toEqual([415, 415, 422, 415, 404, 400, 405]);
      expect(((await answers[0]!.json()) as { reason: string }).reason).toBe("UnsupportedMediaType");
      expect(((await answers[2]!.json()) as { message: string }).message).toBe("PatchOptions.meta.k8s.io is invalid: fieldManager: Required value: is required for apply patch");
    });
  });

  it("maps a wrong token to a 401 KubeApiError", async () => {
    const intruder = kubeAdapters(server.kubeConfig("wrong"), log, new ManualClock(START_MS), { podName: "x" });
    const err = await intruder.customObjects.get(PYTORCHJOBS, "team-a", "job-1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).statusCode).toBe(401);
  });

  it("resolves record() and reports the error when the API server is unreachable", async () => {
    const gone = await startFakeApiServer(new ManualClock(START_MS));
    await gone.close();
    const errors: unknown[] = [];
    const orphan = kubeAdapters(gone.kubeConfig(), log, new ManualClock(START_MS), { podName: "steward-0" }, { events: { onError: (err) => errors.push(err) } });
    await expect(
      orphan.events.record({ regarding: { apiVersion: "v1", kind: "Pod", namespace: "team-a", name: "p" }, type: "Normal", reason: "Test", message: "m" }),
    ).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(KubeApiError);
    expect((errors[0] as KubeApiError).statusCode).toBe(0);
  });
});
