/** Server-side apply as the in-memory store simulates it: the merge rules, then the store's endpoints (object vs status). */
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../platform/clock.js";
import { ConflictError, InvalidError, KubeApiError, NotFoundError } from "../../../platform/kube/errors.js";
import { MemoryObjectStore, type WireObject } from "../../../platform/kube/memoryStore.js";
import type { StoreWatchEvent } from "../../../platform/kube/memoryWatchLog.js";
import type { GroupVersionResource } from "../../../platform/kube/ports.js";
import { applyConfig, leafPaths } from "../../../platform/kube/serverSideApply.js";
import { START_MS } from "./contract.js";

describe("applyConfig", () => {
  it("claims every leaf: scalars, null, lists and empty objects", () => {
    expect(leafPaths({ a: { b: 1, c: [1] }, d: {}, e: null })).toEqual([["a", "b"], ["a", "c"], ["d"], ["e"]]);
  });

  it.each([
    { name: "merges over fields it does not name", live: { spec: { x: 1, y: 2 } }, config: { spec: { x: 3 } }, previous: [], want: { spec: { x: 3, y: 2 } } },
    { name: "removes a field the same manager applied before and leaves out now", live: { spec: { x: 1, y: 2 } }, config: { spec: { x: 3 } }, previous: [["spec", "x"], ["spec", "y"]], want: { spec: { x: 3 } } },
    {
      name: "removes an object whose fields all went, but not its siblings",
      live: { status: { topology: { hash: "h", gpus: [0] }, agent: { v: 1 } } },
      config: { status: { agent: { v: 2 } } },
      previous: [["status", "topology", "hash"], ["status", "topology", "gpus"], ["status", "agent", "v"]],
      want: { status: { agent: { v: 2 } } },
    },
    { name: "keeps an emptied object the config still names", live: { m: { k: 1 } }, config: { m: {} }, previous: [["m", "k"]], want: { m: {} } },
    { name: "stores null as a value (not a deletion, as a merge patch would)", live: { a: 1 }, config: { a: null }, previous: [["a"]], want: { a: null } },
    { name: "replaces lists whole", live: { l: [1, 2, 3] }, config: { l: [4] }, previous: [["l"]], want: { l: [4] } },
    { name: "turns a scalar it owned into an object", live: { a: 1 }, config: { a: { b: 2 } }, previous: [["a"]], want: { a: { b: 2 } } },
  ])("$name", ({ live, config, previous, want }) => {
    const before = structuredClone(live);
    expect(applyConfig(live, config, previous).object).toEqual(want);
    expect(live).toEqual(before);
  });
});

const REPORTS: GroupVersionResource = { group: "gpu-steward.io", version: "v1alpha1", plural: "nodereports" };
const PLAIN: GroupVersionResource = { group: "example.io", version: "v1", plural: "widgets" };
const WITH_STATUS = { fieldManager: "agent", statusSubresource: true };

const report = (over: WireObject = {}): WireObject => ({ apiVersion: "gpu-steward.io/v1alpha1", kind: "NodeReport", metadata: { name: "n1" }, spec: { nodeName: "n1" }, ...over });
const rv = (obj: WireObject | undefined): unknown => (obj?.["metadata"] as { resourceVersion?: string } | undefined)?.resourceVersion;

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}

describe("MemoryObjectStore.apply", () => {
  const fresh = () => new MemoryObjectStore(new ManualClock(START_MS));

  it("creates the object when absent, without the status the object's endpoint ignores", () => {
    const store = fresh();
    const { object, created } = store.apply(REPORTS, "", "n1", report({ status: { a: 1 }, metadata: { name: "n1", uid: "forged", labels: { l: "v" } } }), WITH_STATUS);
    expect(created).toBe(true);
    expect(object).toEqual({
      apiVersion: "gpu-steward.io/v1alpha1",
      kind: "NodeReport",
      metadata: { name: "n1", labels: { l: "v" }, uid: "00000000-0000-4000-8000-000000000001", resourceVersion: "1", creationTimestamp: "2025-03-01T12:00:00Z" },
      spec: { nodeName: "n1" },
    });
  });

  it("sets status only through the status endpoint, which changes nothing else", () => {
    const store = fresh();
    store.apply(REPORTS, "", "n1", report(), WITH_STATUS);
    const { object, created } = store.apply(REPORTS, "", "n1", report({ spec: { nodeName: "changed" }, metadata: { name: "n1", labels: { x: "y" } }, status: { a: 1 } }), { ...WITH_STATUS, subresource: "status" });
    expect(created).toBe(false);
    expect(object).toMatchObject({ spec: { nodeName: "n1" }, status: { a: 1 } });
    expect((object["metadata"] as Record<string, unknown>)["labels"]).toBeUndefined();
    const again = store.apply(REPORTS, "", "n1", report({ spec: { nodeName: "n2" }, status: { a: 2 } }), WITH_STATUS).object;
    expect(again).toMatchObject({ spec: { nodeName: "n2" }, status: { a: 1 } });
  });

  it("applies status with the object where the resource has no status subresource", () => {
    const store = fresh();
    const widget = { apiVersion: "example.io/v1", kind: "Widget", metadata: { name: "w" }, status: { a: 1 } };
    expect(store.apply(PLAIN, "ns", "w", widget, { fieldManager: "m", statusSubresource: false }).object).toMatchObject({ status: { a: 1 }, metadata: { namespace: "ns" } });
    expect(caught(() => store.apply(PLAIN, "ns", "w", widget, { fieldManager: "m", subresource: "status", statusSubresource: false }))).toBeInstanceOf(NotFoundError);
  });

  it("answers 404 to a status apply of a missing object (subresources never create)", () => {
    const err = caught(() => fresh().apply(REPORTS, "", "n1", report({ status: {} }), { ...WITH_STATUS, subresource: "status" }));
    expect(err).toBeInstanceOf(NotFoundError);
  });

  it.each([
    { name: "no field manager", body: report(), opts: { ...WITH_STATUS, fieldManager: "" }, status: 422, type: InvalidError },
    { name: "no kind", body: { apiVersion: "gpu-steward.io/v1alpha1", metadata: { name: "n1" } }, opts: WITH_STATUS, status: 400, type: KubeApiError },
    { name: "another object's name", body: report({ metadata: { name: "n2" } }), opts: WITH_STATUS, status: 400, type: KubeApiError },
    { name: "a stale resourceVersion", body: report({ metadata: { name: "n1", resourceVersion: "0" } }), opts: WITH_STATUS, status: 409, type: ConflictError },
  ])("refuses $name with $status", ({ body, opts, status, type }) => {
    const store = fresh();
    store.apply(REPORTS, "", "n1", report(), WITH_STATUS);
    const err = caught(() => store.apply(REPORTS, "", "n1", body, opts));
    expect(err).toBeInstanceOf(type);
    expect((err as KubeApiError).statusCode).toBe(status);
  });

  it("emits ADDED, then MODIFIED per change, and writes nothing for an apply that changes nothing", () => {
    const store = fresh();
    const events: StoreWatchEvent[] = [];
    store.watch(REPORTS, "0", { onEvent: (e) => events.push(e), onEnd: () => undefined });
    store.apply(REPORTS, "", "n1", report(), WITH_STATUS);
    const status = { ...WITH_STATUS, subresource: "status" as const };
    const first = store.apply(REPORTS, "", "n1", report({ status: { heartbeat: "t1" } }), status).object;
    const same = store.apply(REPORTS, "", "n1", report({ status: { heartbeat: "t1" } }), status).object;
    const next = store.apply(REPORTS, "", "n1", report({ status: { heartbeat: "t2" } }), status).object;
    expect(events.map((e) => [e.type, rv(e.object)])).toEqual([
      ["ADDED", "1"],
      ["MODIFIED", "2"],
      ["MODIFIED", "3"],
    ]);
    expect([rv(first), rv(same), rv(next)]).toEqual(["2", "2", "3"]);
  });

  it("forgets what a manager applied once the object is deleted", () => {
    const store = fresh();
    store.apply(REPORTS, "", "n1", report({ metadata: { name: "n1", labels: { a: "1" } } }), WITH_STATUS);
    store.delete(REPORTS, "", "n1");
    store.create(REPORTS, "", report({ metadata: { name: "n1", labels: { a: "1" } } }));
    // A new object: the label belongs to nobody, so leaving it out of an apply keeps it.
    expect(store.apply(REPORTS, "", "n1", report(), WITH_STATUS).object["metadata"]).toMatchObject({ labels: { a: "1" } });
  });
});
