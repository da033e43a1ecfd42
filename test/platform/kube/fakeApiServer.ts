/**
 * A local stand-in for kube-apiserver, for the client-node adapters' contract run. It checks what the
 * real server checks on the calls we make (auth header, verb per resource, content types, RFC 6902 and
 * RFC 7386 patch bodies, the Deployment scale subresource, Event and Lease field rules, Secret base64,
 * server-side apply's `fieldManager`/`force` rules, the NodeReport status subresource) and answers the
 * way it does: 201 on create (and on an apply that creates), 200 on get/replace/patch (patched object,
 * or the Scale), Status objects with 400/401/404/405/409/415/422. NodeReports take only server-side
 * apply here (the real server also takes JSON and merge patches; nothing of ours sends them, so those
 * are refused with 415 and listed as violations). Objects live in a
 * MemoryObjectStore (the one behind the in-memory adapters), so state rules (resourceVersion, 409, 404,
 * 422 on a failed `test` op) are the same in both contract runs, while this file owns the wire rules.
 * Nodes, pods and NodeReports are also listed (paged with `limit`/`continue`) and watched (fakeWatchStream.ts).
 * Every request is recorded; every protocol rule broken is also listed in `violations`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import type { Operation } from "fast-json-patch";
import { parse as parseYaml } from "yaml";
import type { Clock } from "../../../platform/clock.js";
import { KubeApiError } from "../../../platform/kube/errors.js";
import { MemoryObjectStore, type WireObject } from "../../../platform/kube/memoryStore.js";
import type { GroupVersionResource } from "../../../platform/kube/ports.js";
import { checkWatchQuery, streamWatch, type GoneAs, type OpenWatch } from "./fakeWatchStream.js";

export const TOKEN = "t";

export interface RecordedRequest {
  method: string;
  /** URL path without the query. */
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  authorization: string | undefined;
  /** Parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** What we answered. */
  status: number;
}

interface Resource {
  gvr: GroupVersionResource;
  kind: string;
  namespaced: boolean;
  verbs: ReadonlyArray<"get" | "list" | "watch" | "create" | "update" | "patch">;
  /** The CRD's `subresources.status`: `…/{name}/status` is served, and each endpoint ignores the other's part. */
  statusSubresource?: boolean;
}

/** The resources our adapters touch, with the verbs the API server serves on them. */
const RESOURCES: Resource[] = [
  { gvr: { group: "", version: "v1", plural: "events" }, kind: "Event", namespaced: true, verbs: ["get", "list", "create", "update", "patch"] },
  { gvr: { group: "", version: "v1", plural: "configmaps" }, kind: "ConfigMap", namespaced: true, verbs: ["get", "list", "create", "update", "patch"] },
  { gvr: { group: "", version: "v1", plural: "secrets" }, kind: "Secret", namespaced: true, verbs: ["get", "list", "create", "update", "patch"] },
  { gvr: { group: "coordination.k8s.io", version: "v1", plural: "leases" }, kind: "Lease", namespaced: true, verbs: ["get", "list", "create", "update", "patch"] },
  { gvr: { group: "", version: "v1", plural: "nodes" }, kind: "Node", namespaced: false, verbs: ["get", "list", "watch", "patch"] },
  { gvr: { group: "", version: "v1", plural: "pods" }, kind: "Pod", namespaced: true, verbs: ["get", "list", "watch"] },
  { gvr: { group: "apps", version: "v1", plural: "deployments" }, kind: "Deployment", namespaced: true, verbs: ["get", "list", "patch"] },
  { gvr: { group: "kubeflow.org", version: "v1", plural: "pytorchjobs" }, kind: "PyTorchJob", namespaced: true, verbs: ["get", "list", "create", "update", "patch"] },
  { gvr: { group: "workload.codeflare.dev", version: "v1beta2", plural: "appwrappers" }, kind: "AppWrapper", namespaced: true, verbs: ["get", "list", "create", "update", "patch"] },
  { gvr: { group: "gpu-steward.io", version: "v1alpha1", plural: "nodereports" }, kind: "NodeReport", namespaced: false, verbs: ["get", "list", "watch", "patch"], statusSubresource: true },
];

const APPLY = "application/apply-patch+yaml";
/** strconv.ParseBool, which the server uses for `force`. */
const BOOLEANS: Record<string, boolean> = { "1": true, t: true, T: true, true: true, TRUE: true, True: true, "0": false, f: false, F: false, false: false, FALSE: false, False: false };

/** metav1.MicroTime: Go's time.Parse with layout `2006-01-02T15:04:05.000000Z07:00` needs all six digits. */
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;
/** metav1.Time: RFC 3339 (fractional seconds accepted on parse). */
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const PATCH_OPS = new Set(["add", "remove", "replace", "move", "copy", "test"]);

class Reject extends Error {
  constructor(readonly status: number, readonly reason: string, message: string) {
    super(message);
  }
}

interface Route {
  resource: Resource;
  namespace: string | undefined;
  name: string | undefined;
  /** `scale` for `…/deployments/{name}/scale`, `status` for `…/{name}/status` of a resource with a status subresource. */
  subresource: string | undefined;
}

function route(path: string): Route | undefined {
  const parts = path.split("/").filter((p) => p !== "").map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === "api" && parts[1] === "v1") {
    [group, version, rest] = ["", "v1", parts.slice(2)];
  } else if (parts[0] === "apis" && parts.length >= 4) {
    [group, version, rest] = [parts[1] ?? "", parts[2] ?? "", parts.slice(3)];
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length < 1 || rest.length > 3) return undefined;
  const [plural, name, subresource] = rest;
  const resource = RESOURCES.find((r) => r.gvr.group === group && r.gvr.version === version && r.gvr.plural === plural);
  if (resource === undefined) return undefined;
  if (subresource !== undefined && !(plural === "deployments" && subresource === "scale") && !(resource.statusSubresource && subresource === "status")) return undefined;
  return { resource, namespace, name, subresource };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function status(code: number, reason: string, message: string, details?: Record<string, unknown>): WireObject {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code };
}

function checkTypeMeta(r: Resource, body: Record<string, unknown>): void {
  const apiVersion = r.gvr.group === "" ? r.gvr.version : `${r.gvr.group}/${r.gvr.version}`;
  if (body["kind"] !== undefined && body["kind"] !== r.kind) throw new Reject(400, "BadRequest", `body kind ${String(body["kind"])} does not match ${r.kind}`);
  if (body["apiVersion"] !== undefined && body["apiVersion"] !== apiVersion) {
    throw new Reject(400, "BadRequest", `body apiVersion ${String(body["apiVersion"])} does not match ${apiVersion}`);
  }
}

/** pkg/apis/core/validation/events.go, legacyValidateEvent, as applied to core/v1 creates. */
function checkEvent(namespace: string, body: Record<string, unknown>): void {
  const invalid = (field: string, why: string): Reject => new Reject(422, "Invalid", `Event is invalid: ${field}: ${why}`);
  const meta = isRecord(body["metadata"]) ? body["metadata"] : {};
  if (meta["namespace"] !== undefined && meta["namespace"] !== namespace) throw new Reject(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
  const involved = body["involvedObject"];
  if (!isRecord(involved) || typeof involved["kind"] !== "string" || typeof involved["name"] !== "string") throw invalid("involvedObject", "Required value");
  const involvedNamespace = involved["namespace"] ?? "";
  if (involvedNamespace !== namespace && !(involvedNamespace === "" && (namespace === "default" || namespace === "kube-system"))) {
    throw invalid("involvedObject.namespace", "does not match event.namespace");
  }
  if (body["type"] !== "Normal" && body["type"] !== "Warning") throw invalid("type", `Unsupported value: ${String(body["type"])}`);
  for (const f of ["firstTimestamp", "lastTimestamp"]) {
    if (body[f] !== undefined && (typeof body[f] !== "string" || !TIME.test(body[f]))) throw new Reject(400, "BadRequest", `${f}: not RFC 3339`);
  }
  if (body["eventTime"] === undefined) return;
  if (typeof body["eventTime"] !== "string" || !MICRO_TIME.test(body["eventTime"])) throw new Reject(400, "BadRequest", `eventTime: ${String(body["eventTime"])} is not a MicroTime`);
  for (const f of ["reportingComponent", "reportingInstance", "action", "reason"]) {
    if (typeof body[f] !== "string" || body[f] === "") throw invalid(f, "Required value");
  }
  if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(String(body["reportingComponent"]))) {
    throw invalid("reportingComponent", "not a qualified name");
  }
  for (const f of ["reportingInstance", "action", "reason"]) {
    if (String(body[f]).length > 128) throw invalid(f, "can have at most 128 characters");
  }
  if (Buffer.byteLength(String(body["message"] ?? ""), "utf8") > 1024) throw invalid("message", "can have at most 1024 characters");
}

function checkLease(body: Record<string, unknown>): void {
  const spec = isRecord(body["spec"]) ? body["spec"] : {};
  for (const f of ["acquireTime", "renewTime"]) {
    if (spec[f] !== undefined && (typeof spec[f] !== "string" || !MICRO_TIME.test(spec[f]))) throw new Reject(400, "BadRequest", `spec.${f}: ${String(spec[f])} is not a MicroTime`);
  }
}

/** The server decodes `data` into bytes; bad base64 is the caller's data, not a protocol slip, so no violation. */
function checkSecret(body: Record<string, unknown>): void {
  const data = isRecord(body["data"]) ? body["data"] : {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== "string" || value.length % 4 !== 0 || !BASE64.test(value)) throw new KubeApiError(400, "BadRequest", `Secret is invalid: data[${key}]: illegal base64 data`);
  }
}

/** RFC 6902 §4: an array of objects, each with a known `op` and a JSON-pointer `path` (and `value`/`from` where needed). */
function checkJsonPatch(body: unknown): Operation[] {
  if (!Array.isArray(body)) throw new Reject(400, "BadRequest", "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  for (const op of body) {
    if (!isRecord(op) || typeof op["op"] !== "string" || !PATCH_OPS.has(op["op"])) throw new Reject(400, "BadRequest", `unexpected patch operation ${JSON.stringify(op)}`);
    if (typeof op["path"] !== "string" || (op["path"] !== "" && !op["path"].startsWith("/"))) throw new Reject(400, "BadRequest", `patch operation has an invalid path ${JSON.stringify(op)}`);
    if (["add", "replace", "test"].includes(op["op"]) && !("value" in op)) throw new Reject(400, "BadRequest", `patch operation ${op["op"]} needs a value`);
    if (["move", "copy"].includes(op["op"]) && typeof op["from"] !== "string") throw new Reject(400, "BadRequest", `patch operation ${op["op"]} needs from`);
  }
  return body as Operation[];
}

/**
 * PatchOptions validation (ValidatePatchOptions): an apply needs a field manager, only an apply may
 * `force`, and `force` is a strconv.ParseBool value. Our adapters always get these right: violations.
 */
function checkPatchOptions(q: URLSearchParams, type: string): void {
  const force = q.get("force");
  if (force !== null && !(force in BOOLEANS)) throw new Reject(400, "BadRequest", `force=${force}: not a boolean`);
  if (type === APPLY && (q.get("fieldManager") ?? "") === "") throw new Reject(422, "Invalid", "PatchOptions.meta.k8s.io is invalid: fieldManager: Required value: is required for apply patch");
  if (type !== APPLY && force !== null) throw new Reject(422, "Invalid", "PatchOptions.meta.k8s.io is invalid: force: Forbidden: may not be specified for non-apply patch");
  const manager = q.get("fieldManager");
  if (manager !== null && manager.length > 128) throw new Reject(422, "Invalid", "PatchOptions.meta.k8s.io is invalid: fieldManager: Too long: may not be more than 128 bytes");
}

interface ContinueToken {
  rv: string;
  offset: number;
}

/** One page of `items` per `limit`/`continue`; the token is opaque to clients, readable JSON here. */
function page(items: WireObject[], q: URLSearchParams, currentRv: string): { items: WireObject[]; metadata: Record<string, unknown> } {
  const limit = q.get("limit");
  if (limit !== null && !/^\d+$/.test(limit)) throw new Reject(400, "BadRequest", `limit=${limit}: not an integer`);
  const token = q.get("continue");
  let start: ContinueToken = { rv: currentRv, offset: 0 };
  if (token !== null && token !== "") {
    try {
      start = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as ContinueToken;
    } catch {
      throw new Reject(400, "BadRequest", "continue key is not valid");
    }
  }
  const size = limit === null || limit === "0" ? items.length : Number(limit);
  const slice = items.slice(start.offset, start.offset + size);
  const next = start.offset + slice.length;
  const more = next < items.length ? { continue: Buffer.from(JSON.stringify({ rv: start.rv, offset: next })).toString("base64url"), remainingItemCount: items.length - next } : {};
  return { items: slice, metadata: { resourceVersion: start.rv, ...more } };
}

function mediaType(header: string | undefined): string | undefined {
  return header?.split(";")[0]?.trim().toLowerCase();
}

export interface FakeApiServer {
  url: string;
  store: MemoryObjectStore;
  requests: RecordedRequest[];
  /** Protocol rules our adapters broke (should stay empty). */
  violations: string[];
  kubeConfig(token?: string): KubeConfig;
  /** How a watch from a compacted resourceVersion is refused; settable per test. */
  goneAs: GoneAs;
  /** Watch streams open now, by plural. */
  openWatches(plural: string): OpenWatch[];
  close(): Promise<void>;
}

export async function startFakeApiServer(clock: Clock, store = new MemoryObjectStore(clock)): Promise<FakeApiServer> {
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];

  function serve(req: IncomingMessage, raw: string): { code: number; body: unknown } {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = req.method ?? "GET";
    if (req.headers.authorization !== `Bearer ${TOKEN}`) throw new Reject(401, "Unauthorized", "Unauthorized");
    const r = route(url.pathname);
    if (r === undefined) throw new Reject(404, "NotFound", "the server could not find the requested resource");
    const { resource, namespace, name } = r;
    const verb =
      method === "GET" ? (name === undefined ? "list" : "get") : method === "POST" && name === undefined ? "create" : method === "PUT" && name !== undefined ? "update" : method === "PATCH" && name !== undefined ? "patch" : undefined;
    if (verb === undefined || !resource.verbs.includes(verb)) throw new Reject(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
    if (r.subresource === "scale" && verb !== "patch") throw new Reject(405, "MethodNotAllowed", "this fake serves only PATCH on the scale subresource");
    if (r.subresource === "status" && verb !== "patch" && verb !== "get") throw new Reject(405, "MethodNotAllowed", "this fake serves GET and PATCH on the status subresource");
    if (resource.namespaced && verb !== "list" && namespace === undefined) throw new Reject(404, "NotFound", "the server could not find the requested resource");

    let body: unknown = undefined;
    if (verb === "create" || verb === "update" || verb === "patch") {
      const type = mediaType(req.headers["content-type"]);
      const accepted = verb !== "patch" ? ["application/json"] : resource.statusSubresource ? [APPLY] : ["application/json-patch+json", "application/merge-patch+json", APPLY];
      // Custom resources have no strategic-merge schema; the server answers 415 to that content type.
      if (type === undefined || !accepted.includes(type)) throw new Reject(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`);
      checkPatchOptions(url.searchParams, type);
      try {
        // An applied configuration is YAML (JSON being YAML); everything else is JSON.
        body = type === APPLY ? parseYaml(raw) : JSON.parse(raw);
      } catch {
        throw new Reject(400, "BadRequest", `the request body is not ${type === APPLY ? "YAML" : "JSON"}`);
      }
    }
    const ns = namespace ?? "";
    switch (verb) {
      case "list": {
        const all = store.list(resource.gvr, {
          ...(namespace === undefined ? {} : { namespace }),
          labelSelector: url.searchParams.get("labelSelector") ?? "",
          fieldSelector: url.searchParams.get("fieldSelector") ?? "",
        });
        const apiVersion = resource.gvr.group === "" ? resource.gvr.version : `${resource.gvr.group}/${resource.gvr.version}`;
        const { items, metadata } = page(all, url.searchParams, store.resourceVersion);
        return { code: 200, body: { apiVersion, kind: `${resource.kind}List`, metadata, items } };
      }
      case "get": {
        const found = store.get(resource.gvr, ns, name ?? "");
        if (found === undefined) throw new KubeApiError(404, "NotFound", `${resource.gvr.plural} "${name}" not found`);
        return { code: 200, body: found };
      }
      case "create":
      case "update": {
        if (!isRecord(body)) throw new Reject(400, "BadRequest", "the request body is not an object");
        checkTypeMeta(resource, body);
        if (resource.kind === "Event") checkEvent(ns, body);
        if (resource.kind === "Lease") checkLease(body);
        if (resource.kind === "Secret") checkSecret(body);
        return verb === "create" ? { code: 201, body: store.create(resource.gvr, ns, body) } : { code: 200, body: store.replace(resource.gvr, ns, name ?? "", body) };
      }
      case "patch": {
        if (r.subresource === "scale") return { code: 200, body: patchScale(resource.gvr, ns, name ?? "", mediaType(req.headers["content-type"]), body) };
        if (mediaType(req.headers["content-type"]) === APPLY) {
          if (!isRecord(body)) throw new Reject(400, "BadRequest", "an applied configuration must be an object");
          checkTypeMeta(resource, body);
          const applied = store.apply(resource.gvr, ns, name ?? "", body, {
            fieldManager: url.searchParams.get("fieldManager") ?? "",
            ...(r.subresource === "status" && { subresource: "status" as const }),
            statusSubresource: resource.statusSubresource === true,
          });
          return { code: applied.created ? 201 : 200, body: applied.object };
        }
        if (mediaType(req.headers["content-type"]) === "application/merge-patch+json") {
          if (!isRecord(body)) throw new Reject(400, "BadRequest", "a merge patch must be a JSON object");
          return { code: 200, body: store.mergePatch(resource.gvr, ns, name ?? "", body) };
        }
        return { code: 200, body: store.jsonPatch(resource.gvr, ns, name ?? "", checkJsonPatch(body)) };
      }
    }
  }

  /**
   * The autoscaling/v1 Scale view of a Deployment: a merge patch may set `spec.replicas` (an integer
   * ≥ 0, else 422) and nothing else; the answer is the Scale after the change.
   */
  function patchScale(gvr: GroupVersionResource, ns: string, name: string, type: string | undefined, body: unknown): WireObject {
    if (type !== "application/merge-patch+json") throw new Reject(415, "UnsupportedMediaType", "this fake serves merge patches on the scale subresource");
    if (!isRecord(body) || !isRecord(body["spec"]) || Object.keys(body).some((k) => k !== "spec") || Object.keys(body["spec"]).some((k) => k !== "replicas")) {
      throw new Reject(400, "BadRequest", `the scale patch may only set spec.replicas, got ${JSON.stringify(body)}`);
    }
    const replicas = body["spec"]["replicas"];
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
      throw new KubeApiError(422, "Invalid", `Scale.autoscaling "${name}" is invalid: spec.replicas: must be greater than or equal to 0`);
    }
    const deployment = store.mergePatch(gvr, ns, name, { spec: { replicas } });
    const meta = (deployment["metadata"] ?? {}) as Record<string, unknown>;
    return {
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: { name, namespace: ns, uid: meta["uid"], resourceVersion: meta["resourceVersion"], creationTimestamp: meta["creationTimestamp"] },
      spec: { replicas },
      status: { replicas: (deployment["status"] as { replicas?: number } | undefined)?.replicas ?? 0 },
    };
  }

  const watches = new Set<OpenWatch>();
  const fake = { goneAs: "error-event" as GoneAs };

  function watch(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const record = (status: number): void =>
      void requests.push({ method: "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), contentType: req.headers["content-type"], authorization: req.headers.authorization, body: undefined, status });
    const refuse = (code: number, reason: string, message: string, violation: boolean): void => {
      if (violation) violations.push(`GET ${req.url}: ${code} ${message}`);
      record(code);
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(status(code, reason, message)));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return refuse(401, "Unauthorized", "Unauthorized", false);
    const r = route(url.pathname);
    if (r === undefined || r.name !== undefined || !r.resource.verbs.includes("watch")) return refuse(405, "MethodNotAllowed", "the server does not allow watch on the requested resource", true);
    const problem = checkWatchQuery(url.searchParams);
    if (problem !== undefined) return refuse(400, "BadRequest", problem, true);
    const q = url.searchParams;
    const open = streamWatch(
      {
        store,
        gvr: r.resource.gvr,
        namespace: r.namespace,
        resourceVersion: q.get("resourceVersion") ?? "",
        bookmarks: ["true", "1"].includes(q.get("allowWatchBookmarks") ?? ""),
        timeoutSeconds: q.has("timeoutSeconds") ? Number(q.get("timeoutSeconds")) : undefined,
        fieldSelector: q.get("fieldSelector") ?? "",
        goneAs: fake.goneAs,
      },
      res,
      record,
    );
    if (open === undefined) return;
    watches.add(open);
    res.on("close", () => watches.delete(open));
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const watchUrl = new URL(req.url ?? "/", "http://localhost");
      if (req.method === "GET" && watchUrl.searchParams.has("watch")) return watch(req, res, watchUrl);
      const raw = Buffer.concat(chunks).toString("utf8");
      let answer: { code: number; body: unknown };
      try {
        answer = serve(req, raw);
      } catch (err) {
        if (err instanceof Reject) {
          violations.push(`${req.method} ${req.url}: ${err.status} ${err.message}`);
          answer = { code: err.status, body: status(err.status, err.reason, err.message) };
        } else if (err instanceof KubeApiError) {
          answer = { code: err.statusCode, body: status(err.statusCode, err.reason, err.message) };
        } else {
          answer = { code: 500, body: status(500, "InternalError", String(err)) };
        }
      }
      const url = new URL(req.url ?? "/", "http://localhost");
      let parsed: unknown = undefined;
      if (raw !== "") {
        try {
          parsed = JSON.parse(raw);
        } catch {
          parsed = raw;
        }
      }
      requests.push({
        method: req.method ?? "",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        contentType: req.headers["content-type"],
        authorization: req.headers.authorization,
        body: parsed,
        status: answer.code,
      });
      res.writeHead(answer.code, { "content-type": "application/json" });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    store,
    requests,
    violations,
    get goneAs() {
      return fake.goneAs;
    },
    set goneAs(how: GoneAs) {
      fake.goneAs = how;
    },
    openWatches: (plural) => [...watches].filter((w) => w.plural === plural),
    kubeConfig(token = TOKEN) {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: "t", server: url, skipTLSVerify: true }],
        users: [{ name: "u", token }],
        contexts: [{ name: "c", cluster: "t", user: "u" }],
        currentContext: "c",
      });
      return kc;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
