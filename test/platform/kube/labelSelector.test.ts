import { describe, expect, it } from "vitest";
import { KubeApiError } from "../../../platform/kube/errors.js";
import { matchesLabels, parseLabelSelector } from "../../../platform/kube/labelSelector.js";

const labels = { "gpu-steward.io/job-type": "lora", "kueue.x-k8s.io/queue-name": "user-queue", tier: "" };

describe("label selectors", () => {
  it.each([
    { selector: "", want: true },
    { selector: "gpu-steward.io/job-type=lora", want: true },
    { selector: "gpu-steward.io/job-type==lora", want: true },
    { selector: "gpu-steward.io/job-type = full", want: false },
    { selector: "gpu-steward.io/job-type!=full", want: true },
    { selector: "absent!=x", want: true },
    { selector: "gpu-steward.io/job-type in (full, lora)", want: true },
    { selector: "gpu-steward.io/job-type notin (full,lora)", want: false },
    { selector: "absent notin (a)", want: true },
    { selector: "absent in (a)", want: false },
    { selector: "kueue.x-k8s.io/queue-name", want: true },
    { selector: "!kueue.x-k8s.io/queue-name", want: false },
    { selector: "!absent", want: true },
    { selector: "tier=", want: true },
    { selector: "gpu-steward.io/job-type=lora,!absent,kueue.x-k8s.io/queue-name in (user-queue)", want: true },
    { selector: "gpu-steward.io/job-type=lora,absent", want: false },
  ])("`$selector` matches: $want", ({ selector, want }) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(want);
  });

  it.each(["a=b,", "a in (b", "=b", "a=b c", "a>1"])("refuses `%s` with a 400 as the API server does", (selector) => {
    let caught: unknown;
    try {
      parseLabelSelector(selector);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(KubeApiError);
    expect((caught as KubeApiError).statusCode).toBe(400);
  });
});
