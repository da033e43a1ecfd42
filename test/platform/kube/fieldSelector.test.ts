import { describe, expect, it } from "vitest";
import { ASSIGNED_NON_TERMINAL_PODS, matchesFields, parseFieldSelector, SelectedEvents } from "../../../platform/kube/fieldSelector.js";
import { KubeApiError } from "../../../platform/kube/errors.js";

const pod = (uid: string, nodeName: string | undefined, phase: string) => ({ metadata: { uid, name: uid, namespace: "a" }, spec: { ...(nodeName && { nodeName }) }, status: { phase } });

describe("field selectors", () => {
  it("parse =, == and != requirements, ANDed", () => {
    expect(parseFieldSelector("")).toEqual([]);
    expect(parseFieldSelector("metadata.name==x, status.phase!=Failed,spec.nodeName=")).toEqual([
      { path: ["metadata", "name"], op: "=", value: "x" },
      { path: ["status", "phase"], op: "!=", value: "Failed" },
      { path: ["spec", "nodeName"], op: "=", value: "" },
    ]);
  });

  it("refuse a requirement without an operator, as the server does (400)", () => {
    const err = (() => {
      try {
        parseFieldSelector("status.phase");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).statusCode).toBe(400);
    expect((err as KubeApiError).message).toMatch(/"status.phase" is not field=value/);
  });

  it("select bound, non-terminal pods; a missing field reads as empty", () => {
    const selector = parseFieldSelector(ASSIGNED_NON_TERMINAL_PODS);
    expect(matchesFields(selector, pod("1", "gpu-1", "Running"))).toBe(true);
    expect(matchesFields(selector, pod("2", "gpu-1", "Pending"))).toBe(true);
    expect(matchesFields(selector, pod("3", undefined, "Pending"))).toBe(false);
    expect(matchesFields(selector, pod("4", "gpu-1", "Succeeded"))).toBe(false);
    expect(matchesFields(selector, pod("5", "gpu-1", "Failed"))).toBe(false);
  });

  it("turn a watch of every pod into ADDED/MODIFIED/DELETED of the selected ones", () => {
    const events = new SelectedEvents(parseFieldSelector(ASSIGNED_NON_TERMINAL_PODS));
    const types = (type: string, obj: unknown) => events.translate({ type, object: obj })?.type;
    expect(types("ADDED", pod("p", undefined, "Pending"))).toBeUndefined(); // not bound yet
    expect(types("MODIFIED", pod("p", undefined, "Pending"))).toBeUndefined();
    expect(types("MODIFIED", pod("p", "gpu-1", "Pending"))).toBe("ADDED"); // bound: enters
    expect(types("MODIFIED", pod("p", "gpu-1", "Running"))).toBe("MODIFIED");
    expect(types("MODIFIED", pod("p", "gpu-1", "Succeeded"))).toBe("DELETED"); // finished: leaves
    expect(types("MODIFIED", pod("p", "gpu-1", "Succeeded"))).toBeUndefined();
    expect(types("DELETED", pod("p", "gpu-1", "Succeeded"))).toBeUndefined();
    // Met first outside the selection on a change: the consumer's list may hold it, so it leaves.
    expect(types("MODIFIED", pod("q", "gpu-1", "Failed"))).toBe("DELETED");
    expect(types("DELETED", pod("r", "gpu-1", "Running"))).toBe("DELETED");
    expect(events.translate({ type: "BOOKMARK", object: { metadata: { resourceVersion: "9" } } })?.type).toBe("BOOKMARK");
  });
});
