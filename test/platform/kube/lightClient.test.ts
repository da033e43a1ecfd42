/**
 * The node agent's light client (platform/kube/lightClient.ts and what is built on it) against the fake
 * API server: the shared contracts where they apply (the KubePorts contract for Events, the NodeReport
 * apply and the watches; the cluster-view sync for list/watch/410/bookmark/resume), then what went over
 * the wire, compared with what client-node sends for the same call, and how failures are typed.
 */
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { issueCertificates } from "../../../certs/index.js";
import { ManualClock } from "../../../platform/clock.js";
import { kubeAdapters } from "../../../platform/kube/client.js";
import { GoneError, KubeApiError, NotFoundError } from "../../../platform/kube/errors.js";
import { KubeEventRecorder } from "../../../platform/kube/events.js";
import { ASSIGNED_NON_TERMINAL_PODS } from "../../../platform/kube/fieldSelector.js";
import { lightAgentKube, lightEventSink, LightNodeReports, LightNodes, lightPodsOnNode } from "../../../platform/kube/lightAgentPorts.js";
import { LightKubeClient } from "../../../platform/kube/lightClient.js";
import { LIGHT_LIST_PAGE_SIZE, LightObjectWatch } from "../../../platform/kube/lightWatch.js";
import { NODES, PODS } from "../../../platform/kube/memoryWatch.js";
import { NODE_REPORTS } from "../../../platform/kube/nodeReports.js";
import { podsOnNodeSelector } from "../../../platform/kube/podsOnNode.js";
import type { ClusterWatches, EventRecord, KubePorts, WatchEvent } from "../../../platform/kube/ports.js";
import { createLogger } from "../../../platform/log.js";
import { aNodeReportStatus, NODE, NODE_UID } from "../../builders/nodeReports.js";
import { kubePortsContract, START_MS } from "./contract.js";
import { startFakeApiServer, TOKEN, type FakeApiServer } from "./fakeApiServer.js";
import { aPod, clusterViewSyncContract } from "./syncContract.js";

const log = createLogger({ level: "silent" });
const clients: LightKubeClient[] = [];
const lightClient = (url: string, token: string | undefined = TOKEN, timeoutMs?: number): LightKubeClient => {
  const c = new LightKubeClient({ server: url, token: () => token }, timeoutMs === undefined ? {} : { requestTimeoutMs: timeoutMs });
  clients.push(c);
  return c;
};
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

/** The ClusterWatches the controller uses, rebuilt on the light ObjectWatch (same paths and selectors as watches.ts). */
function lightClusterWatches(c: LightKubeClient): ClusterWatches {
  return {
    nodes: new LightObjectWatch(c, "nodes", "/api/v1/nodes"),
    pods: new LightObjectWatch(c, "pods", "/api/v1/pods", ASSIGNED_NON_TERMINAL_PODS),
    nodeReports: new LightObjectWatch(c, "nodereports", "/apis/gpu-steward.io/v1alpha1/nodereports"),
  };
}

kubePortsContract("light client over HTTP (Events, NodeReport apply, watches; the other ports client-node)", async () => {
  const clock = new ManualClock(START_MS);
  const server = await startFakeApiServer(clock);
  const eventErrors: unknown[] = [];
  const c = lightClient(server.url);
  const heavy = kubeAdapters(server.kubeConfig(), log, clock, { podName: "steward-0" });
  const reports = new LightNodeReports(c);
  const ports: KubePorts = {
    ...heavy,
    events: new KubeEventRecorder(lightEventSink(c), log, clock, "steward-0", { onError: (err) => eventErrors.push(err) }),
    // The agent only applies; get and list (the controller's) stay client-node's.
    nodeReports: { apply: (...args) => reports.apply(...args), get: (name) => heavy.nodeReports.get(name), list: () => heavy.nodeReports.list() },
    watches: lightClusterWatches(c),
  };
  return {
    ports,
    store: server.store,
    clock,
    eventErrors,
    async close() {
      await server.close();
      expect(server.violations).toEqual([]);
    },
  };
});

clusterViewSyncContract("light client watches over HTTP", async () => {
  const server = await startFakeApiServer(new ManualClock(START_MS));
  return {
    watches: lightClusterWatches(lightClient(server.url)),
    store: server.store,
    watching: (gvr) => server.openWatches(gvr.plural).length,
    dropWatches: (gvr) => server.openWatches(gvr.plural).forEach((w) => w.drop()),
    async close() {
      await server.close();
      expect(server.violations).toEqual([]);
    },
  };
});

async function rejection(p: Promise<unknown>): Promise<KubeApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof KubeApiError)) throw new Error(`expected a KubeApiError, got ${String(err)}`);
  return err;
}

describe("light client on the wire", () => {
  let server: FakeApiServer;
  let c: LightKubeClient;

  beforeEach(async () => {
    server = await startFakeApiServer(new ManualClock(START_MS));
    c = lightClient(server.url);
  });
  afterEach(async () => {
    await server.close();
    expect(server.violations).toEqual([]);
  });

  describe("pods on the node", () => {
    const SELECTOR = "spec.nodeName=gpu-1";
    const watchRequests = () => server.requests.filter((r) => r.path === "/api/v1/pods" && r.query["watch"] !== undefined);

    beforeEach(() => {
      server.store.create(NODES, "", { apiVersion: "v1", kind: "Node", metadata: { name: "gpu-1" } });
      server.store.create(PODS, "team-a", aPod("here", "gpu-1", 1));
      server.store.create(PODS, "team-a", aPod("elsewhere", "gpu-2", 1));
    });

    it("selects the node's pods as podsOnNode.ts does, on the list and the watch, with the exact queries", async () => {
      const watch = lightPodsOnNode(c, "gpu-1");
      expect(podsOnNodeSelector("gpu-1")).toBe(SELECTOR);
      expect(watch.resource).toBe("pods");
      const listed = await watch.list();
      expect(listed.items.map((p) => (p as { metadata: { name: string } }).metadata.name)).toEqual(["here"]);
      expect(listed.resourceVersion).toBe(server.store.resourceVersion);
      const events: WatchEvent[] = [];
      const stop = new AbortController();
      const watching = watch.watch({ resourceVersion: listed.resourceVersion, timeoutSeconds: 321 }, (e) => events.push(e), stop.signal);
      await vi.waitFor(() => expect(server.openWatches("pods")).toHaveLength(1));
      server.store.create(PODS, "team-b", aPod("new-here", "gpu-1", 2));
      server.store.create(PODS, "team-b", aPod("new-elsewhere", "gpu-2", 2));
      server.store.replace(PODS, "team-a", "here", aPod("here", "gpu-3", 1)); // moved off: leaves the selection
      await vi.waitFor(() => expect(events).toHaveLength(2));
      expect(events.map((e) => [e.type, (e.object as { metadata: { name: string } }).metadata.name])).toEqual([
        ["ADDED", "new-here"],
        ["DELETED", "here"],
      ]);
      stop.abort();
      await watching;
      await vi.waitFor(() => expect(server.openWatches("pods")).toHaveLength(0));
      expect(server.requests.map(({ method, path, query, authorization, contentType }) => ({ method, path, query, authorization, contentType }))).toEqual([
        { method: "GET", path: "/api/v1/pods", query: { limit: "500", fieldSelector: SELECTOR }, authorization: "Bearer t", contentType: undefined },
        {
          method: "GET",
          path: "/api/v1/pods",
          query: { watch: "true", resourceVersion: listed.resourceVersion, allowWatchBookmarks: "true", fieldSelector: SELECTOR, timeoutSeconds: "321" },
          authorization: "Bearer t",
          contentType: undefined,
        },
      ]);
    });

    it("follows continue tokens until the list is whole, keeping the first page's version", async () => {
      for (let i = 0; i < LIGHT_LIST_PAGE_SIZE + 20; i += 1) server.store.create(PODS, "team-b", aPod(`worker-${i}`, "gpu-1", 0));
      const version = server.store.resourceVersion;
      const listed = await lightPodsOnNode(c, "gpu-1").list();
      expect(listed.items).toHaveLength(LIGHT_LIST_PAGE_SIZE + 21);
      expect(listed.resourceVersion).toBe(version);
      const pages = server.requests.map((r) => r.query);
      expect(pages).toHaveLength(2);
      expect(pages[0]).toEqual({ limit: "500", fieldSelector: SELECTOR });
      expect(pages[1]).toEqual({ limit: "500", fieldSelector: SELECTOR, continue: expect.stringMatching(/.+/) });
    });

    it("rejects with GoneError (its Status reason kept) when the watch is refused with HTTP 410", async () => {
      server.goneAs = "http-410";
      const from = server.store.resourceVersion;
      server.store.create(PODS, "team-a", aPod("later", "gpu-1", 1));
      server.store.compact();
      const err = await rejection(lightPodsOnNode(c, "gpu-1").watch({ resourceVersion: from }, () => undefined, new AbortController().signal));
      expect(err).toBeInstanceOf(GoneError);
      expect([err.statusCode, err.reason]).toEqual([410, "Expired"]);
      expect(err.message).toMatch(/^WATCH \/api\/v1\/pods\?fieldSelector=spec\.nodeName=gpu-1: too old resource version/);
      expect(watchRequests().map((r) => r.status)).toEqual([410]);
    });

    it("rejects with GoneError on an ERROR event carrying 410, and with its own type on another ERROR", async () => {
      const from = server.store.resourceVersion;
      server.store.create(PODS, "team-a", aPod("later", "gpu-1", 1));
      server.store.compact();
      const gone = await rejection(lightPodsOnNode(c, "gpu-1").watch({ resourceVersion: from }, () => undefined, new AbortController().signal));
      expect(gone).toBeInstanceOf(GoneError);
      expect(watchRequests().map((r) => r.status)).toEqual([200]);

      const events: WatchEvent[] = [];
      const watching = lightPodsOnNode(c, "gpu-1").watch({ resourceVersion: server.store.resourceVersion }, (e) => events.push(e), new AbortController().signal);
      await vi.waitFor(() => expect(server.openWatches("pods")).toHaveLength(1));
      server.openWatches("pods")[0]?.writeLine(JSON.stringify({ type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure", code: 500, reason: "InternalError", message: "etcd timeout" } }));
      const err = await rejection(watching);
      expect([err.statusCode, err.reason, err.message]).toEqual([500, "InternalError", "WATCH /api/v1/pods?fieldSelector=spec.nodeName=gpu-1: etcd timeout"]);
      expect(events).toEqual([]);
      await vi.waitFor(() => expect(server.openWatches("pods")).toHaveLength(0));
    });

    it("skips lines that are not JSON objects, hands on every other event as sent, and resolves when the server ends the stream", async () => {
      const events: WatchEvent[] = [];
      const watching = lightPodsOnNode(c, "gpu-1").watch({ resourceVersion: server.store.resourceVersion, timeoutSeconds: 1 }, (e) => events.push(e), new AbortController().signal);
      await vi.waitFor(() => expect(server.openWatches("pods")).toHaveLength(1));
      const [stream] = server.openWatches("pods");
      stream?.writeLine("{not json");
      stream?.writeLine("null");
      stream?.writeLine("[1,2]");
      stream?.writeLine('{"type":"SYNC","object":{"metadata":{"name":"x"}}}');
      stream?.writeLine('{"object":"a string"}');
      await expect(watching).resolves.toBeUndefined(); // timeoutSeconds: 1
      expect(events).toEqual([
        { type: "SYNC", object: { metadata: { name: "x" } } },
        { type: "", object: "a string" },
      ]);
    });

    it("ends the watch with the handler's error when the handler throws, and closes the stream", async () => {
      const watching = lightPodsOnNode(c, "gpu-1").watch(
        { resourceVersion: server.store.resourceVersion },
        () => {
          throw new Error("sink broke");
        },
        new AbortController().signal,
      );
      await vi.waitFor(() => expect(server.openWatches("pods")).toHaveLength(1));
      server.store.create(PODS, "team-a", aPod("later", "gpu-1", 1));
      const err = await rejection(watching);
      expect([err.statusCode, err.message]).toEqual([0, "WATCH /api/v1/pods?fieldSelector=spec.nodeName=gpu-1: sink broke"]);
      await vi.waitFor(() => expect(server.openWatches("pods")).toHaveLength(0));
    });

    it("rejects with a transport error (status 0) when the connection is cut mid-stream", async () => {
      const watching = lightPodsOnNode(c, "gpu-1").watch({ resourceVersion: server.store.resourceVersion }, () => undefined, new AbortController().signal);
      await vi.waitFor(() => expect(server.openWatches("pods")).toHaveLength(1));
      server.openWatches("pods")[0]?.drop();
      const err = await rejection(watching);
      expect(err.statusCode).toBe(0);
      expect(err.message).toMatch(/^WATCH \/api\/v1\/pods\?fieldSelector=spec\.nodeName=gpu-1: /);
    });

    it("resolves at once for an aborted signal, sending nothing", async () => {
      const stop = new AbortController();
      stop.abort();
      await expect(lightPodsOnNode(c, "gpu-1").watch({ resourceVersion: "1" }, () => undefined, stop.signal)).resolves.toBeUndefined();
      expect(server.requests).toEqual([]);
    });
  });

  describe("NodeReports", () => {
    const PATH = `/apis/gpu-steward.io/v1alpha1/nodereports/${NODE}`;

    it("sends what client-node sends: the object, the topology and the rest of the status, as application/apply-patch+yaml with fieldManager and force", async () => {
      const status = aNodeReportStatus();
      await kubeAdapters(server.kubeConfig(), log, new ManualClock(START_MS), { podName: "x" }).nodeReports.apply(NODE, NODE_UID, { status });
      const viaClientNode = server.requests.splice(0);
      server.store.delete(NODE_REPORTS, "", NODE);
      await new LightNodeReports(c).apply(NODE, NODE_UID, { status });
      const { topology, ...rest } = status;
      expect(server.requests).toEqual(viaClientNode);
      expect(server.requests.map(({ method, path, query, contentType, authorization, status: code }) => ({ method, path, query, contentType, authorization, code }))).toEqual([
        { method: "PATCH", path: PATH, query: { fieldManager: "gpu-steward-agent", force: "true" }, contentType: "application/apply-patch+yaml", authorization: "Bearer t", code: 201 },
        { method: "PATCH", path: `${PATH}/status`, query: { fieldManager: "gpu-steward-agent-topology", force: "true" }, contentType: "application/apply-patch+yaml", authorization: "Bearer t", code: 200 },
        { method: "PATCH", path: `${PATH}/status`, query: { fieldManager: "gpu-steward-agent", force: "true" }, contentType: "application/apply-patch+yaml", authorization: "Bearer t", code: 200 },
      ]);
      expect(server.requests[1]?.body).toEqual({ apiVersion: "gpu-steward.io/v1alpha1", kind: "NodeReport", metadata: { name: NODE }, status: { topology } });
      expect(server.requests[2]?.body).toEqual({ apiVersion: "gpu-steward.io/v1alpha1", kind: "NodeReport", metadata: { name: NODE }, status: rest });
    });

    it("sends only the status apply while nothing else changed, and all again after the object was deleted", async () => {
      const reports = new LightNodeReports(c);
      await reports.apply(NODE, NODE_UID, { status: aNodeReportStatus() });
      await reports.apply(NODE, NODE_UID, { status: aNodeReportStatus() });
      server.store.delete(NODE_REPORTS, "", NODE);
      await reports.apply(NODE, NODE_UID, { status: aNodeReportStatus() });
      expect(server.requests.map((r) => [r.path, r.query["fieldManager"], r.status])).toEqual([
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
  });

  describe("Events", () => {
    const record: EventRecord = {
      regarding: { apiVersion: "v1", kind: "Node", namespace: "", name: "gpu-1", uid: "u-1" },
      type: "Warning",
      reason: "MigLayoutRequested",
      message: "all-1g.10gb for tenant team-a/serve-0",
    };

    it("POSTs the very body client-node's sink sends, to /api/v1/namespaces/{ns}/events as application/json", async () => {
      const clock = new ManualClock(START_MS);
      await kubeAdapters(server.kubeConfig(), log, clock, { podName: "steward-agent-gpu-1" }).events.record(record);
      const errors: unknown[] = [];
      await lightAgentKube(c, "gpu-1", log, clock, { podName: "steward-agent-gpu-1" }, { events: { onError: (err) => errors.push(err) } }).events.record(record);
      expect(errors).toEqual([]);
      const [viaClientNode, viaLight] = server.requests;
      expect(server.requests).toHaveLength(2);
      expect(viaLight).toEqual(viaClientNode);
      expect(viaLight).toMatchObject({ method: "POST", path: "/api/v1/namespaces/default/events", query: {}, contentType: "application/json", authorization: "Bearer t", status: 201 });
      expect(viaLight?.body).toEqual({
        apiVersion: "v1",
        kind: "Event",
        metadata: { generateName: "gpu-1.", namespace: "default" },
        involvedObject: { apiVersion: "v1", kind: "Node", name: "gpu-1", uid: "u-1" },
        type: "Warning",
        reason: "MigLayoutRequested",
        message: "all-1g.10gb for tenant team-a/serve-0",
        action: "MigLayoutRequested",
        count: 1,
        source: { component: "gpu-steward" },
        firstTimestamp: "2025-03-01T12:00:00.250Z",
        lastTimestamp: "2025-03-01T12:00:00.250Z",
        eventTime: "2025-03-01T12:00:00.250000Z",
        reportingComponent: "gpu-steward.io/controller",
        reportingInstance: "steward-agent-gpu-1",
      });
    });

    it("resolves when the API server refuses, handing the typed error to onError", async () => {
      const errors: unknown[] = [];
      const recorder = lightAgentKube(lightClient(server.url, "wrong"), "gpu-1", log, new ManualClock(START_MS), { podName: "a" }, { events: { onError: (err) => errors.push(err) } }).events;
      await expect(recorder.record(record)).resolves.toBeUndefined();
      expect(errors).toHaveLength(1);
      expect([(errors[0] as KubeApiError).statusCode, (errors[0] as KubeApiError).reason, (errors[0] as KubeApiError).message]).toEqual([401, "Unauthorized", "POST /api/v1/namespaces/default/events: Unauthorized"]);
      // The fake lists every refused token as a violation; this one was sent on purpose.
      expect(server.violations.splice(0)).toEqual(["POST /api/v1/namespaces/default/events: 401 Unauthorized"]);
    });
  });

  describe("Nodes", () => {
    beforeEach(() => {
      server.store.create(NODES, "", { apiVersion: "v1", kind: "Node", metadata: { name: "gpu-1", labels: { keep: "me", "nvidia.com/mig.config": "all-disabled" } }, status: { allocatable: { "nvidia.com/gpu": "8" } } });
    });

    it("reads a Node's uid and labels, and undefined (not an error) for a missing Node", async () => {
      const nodes = new LightNodes(c);
      const uid = (server.store.get(NODES, "", "gpu-1")?.["metadata"] as { uid: string }).uid;
      expect(await nodes.get("gpu-1")).toEqual({ uid, labels: { keep: "me", "nvidia.com/mig.config": "all-disabled" } });
      expect(await nodes.get("gpu-2")).toBeUndefined();
      expect(server.requests.map((r) => [r.method, r.path, r.status])).toEqual([
        ["GET", "/api/v1/nodes/gpu-1", 200],
        ["GET", "/api/v1/nodes/gpu-2", 404],
      ]);
    });

    it("sets and removes only the named labels with one merge patch, leaving the status", async () => {
      const kube = lightAgentKube(c, "gpu-1", log, new ManualClock(START_MS), { podName: "a" });
      await new LightNodes(c).patchLabels("gpu-1", { "nvidia.com/mig.config": "all-1g.10gb", keep: null });
      expect(server.requests).toEqual([
        {
          method: "PATCH",
          path: "/api/v1/nodes/gpu-1",
          query: {},
          contentType: "application/merge-patch+json",
          authorization: "Bearer t",
          body: { metadata: { labels: { "nvidia.com/mig.config": "all-1g.10gb", keep: null } } },
          status: 200,
        },
      ]);
      expect(await kube.node.labels("gpu-1")).toEqual({ "nvidia.com/mig.config": "all-1g.10gb" });
      expect(await kube.node.uid("gpu-1")).toBe((server.store.get(NODES, "", "gpu-1")?.["metadata"] as { uid: string }).uid);
      expect(await kube.node.labels("absent")).toEqual({});
      expect(await kube.node.uid("absent")).toBeUndefined();
      expect(server.store.get(NODES, "", "gpu-1")?.["status"]).toEqual({ allocatable: { "nvidia.com/gpu": "8" } });
    });

    it("throws NotFoundError naming the verb and path for a patch of a missing Node", async () => {
      const err = await rejection(new LightNodes(c).patchLabels("absent", { a: "b" }));
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err.message).toBe('PATCH /api/v1/nodes/absent: nodes "absent" not found');
    });
  });

  describe("failures", () => {
    it("maps a wrong token to 401 Unauthorized from the Status body", async () => {
      const err = await rejection(new LightNodes(lightClient(server.url, "wrong")).get("gpu-1"));
      expect([err.statusCode, err.reason, err.code, err.message]).toEqual([401, "Unauthorized", "KUBE_API", "GET /api/v1/nodes/gpu-1: Unauthorized"]);
      expect(server.violations.splice(0)).toEqual(["GET /api/v1/nodes/gpu-1: 401 Unauthorized"]);
    });

    it("reads the token for every request, so a rotated token is used at once", async () => {
      server.store.create(NODES, "", { apiVersion: "v1", kind: "Node", metadata: { name: "gpu-1" } });
      let token = "old";
      const rotating = new LightKubeClient({ server: server.url, token: () => token });
      clients.push(rotating);
      await rejection(new LightNodes(rotating).get("gpu-1"));
      token = TOKEN;
      expect((await new LightNodes(rotating).get("gpu-1"))?.uid).toMatch(/.+/);
      expect(server.requests.map((r) => [r.authorization, r.status])).toEqual([
        ["Bearer old", 401],
        ["Bearer t", 200],
      ]);
      expect(server.violations.splice(0)).toEqual(["GET /api/v1/nodes/gpu-1: 401 Unauthorized"]);
    });

    it("answers status 0 when nothing answers, and when the answer does not come within the deadline", async () => {
      const closed = await startFakeApiServer(new ManualClock(START_MS));
      await closed.close();
      const refused = await rejection(new LightNodes(lightClient(closed.url)).get("gpu-1"));
      expect([refused.statusCode, refused.reason]).toEqual([0, "Unknown"]);
      expect(refused.message).toMatch(/^GET \/api\/v1\/nodes\/gpu-1: connect ECONNREFUSED/);

      const silent = await listening(createServer(() => undefined));
      try {
        const late = await rejection(new LightNodes(lightClient(silent.url, TOKEN, 50)).get("gpu-1"));
        expect([late.statusCode, late.message]).toEqual([0, "GET /api/v1/nodes/gpu-1: no answer within 50 ms"]);
      } finally {
        await silent.close();
      }
    });

    it("keeps a proxy's error text when the answer is not a Status", async () => {
      const proxy = await listening(createServer((_req, res) => res.writeHead(502, { "content-type": "text/html" }).end("<html>bad gateway</html>\n")));
      try {
        const err = await rejection(new LightNodes(lightClient(proxy.url)).get("gpu-1"));
        expect([err.statusCode, err.reason, err.message]).toEqual([502, "Unknown", "GET /api/v1/nodes/gpu-1: <html>bad gateway</html>"]);
      } finally {
        await proxy.close();
      }
    });

    it("refuses a list without a resourceVersion to watch from", async () => {
      const odd = await listening(createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"items":[]}')));
      try {
        const err = await rejection(lightPodsOnNode(lightClient(odd.url), "gpu-1").list());
        expect([err.statusCode, err.message]).toEqual([500, "LIST /api/v1/pods?fieldSelector=spec.nodeName=gpu-1: the list has no metadata.resourceVersion to watch from"]);
      } finally {
        await odd.close();
      }
    });
  });
});

describe("light client over TLS", () => {
  it("trusts the given CA, and refuses the same server without it", async () => {
    const issued = issueCertificates({ dnsNames: ["kubernetes.default.svc"], ipAddresses: ["127.0.0.1"], now: new Date(), keyBits: 2048 });
    const seen: string[] = [];
    const tls = await listening(
      createHttpsServer({ cert: issued.certPem, key: issued.keyPem }, (req, res) => {
        seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ metadata: { name: "gpu-1", uid: "u-1", labels: { a: "b" } } }));
      }),
      "https",
    );
    try {
      const trusted = new LightKubeClient({ server: tls.url, token: () => "sa-token", ca: issued.caCertPem });
      clients.push(trusted);
      expect(await new LightNodes(trusted).get("gpu-1")).toEqual({ uid: "u-1", labels: { a: "b" } });
      const untrusted = new LightKubeClient({ server: tls.url, token: () => "sa-token" });
      clients.push(untrusted);
      const err = await rejection(new LightNodes(untrusted).get("gpu-1"));
      expect(err.statusCode).toBe(0);
      expect(err.message).toMatch(/^GET \/api\/v1\/nodes\/gpu-1: .*(self[- ]signed|unable to verify)/i);
      expect(seen).toEqual(["GET /api/v1/nodes/gpu-1 Bearer sa-token"]);
    } finally {
      await tls.close();
    }
  });
});

async function listening(server: Server | HttpsServer, scheme: "http" | "https" = "http"): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
