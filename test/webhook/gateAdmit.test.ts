/** The webhook's half of the asynchronous ADO path: at CREATE a Kueue-queued PyTorchJob gets our gate, nothing else. */
import { describe, expect, it } from "vitest";
import { anAdmissionReview, loadJob } from "../builders/reviews.js";
import { ADMISSION_GATED_BY, RIGHTSIZING_GATE, RIGHTSIZING_LABEL, withGate, withoutGate } from "../../webhook/gate.js";
import { aHarness, applyOps, at, type Harness } from "./harness.js";

const GATED = { recommender: "ado", adoUrl: "http://ado.ado-system:8080", adoAsyncGate: true };
const MASTER = "spec.pytorchReplicaSpecs.Master.template.spec.containers.0";
const GATE_PATH = "/metadata/annotations/kueue.x-k8s.io~1admission-gated-by";
const LABEL_PATH = "/metadata/labels/gpu-steward.io~1rightsizing";

/** Cluster mode with the gate loop running, as cmd/serve wires it. */
function aGatedHarness(config: Record<string, unknown> = GATED, gate = true): Harness {
  const h = aHarness({ config });
  if (gate) h.deps.gate = { enabled: true };
  return h;
}

function withMeta(job: Record<string, unknown>, edit: (meta: { labels: Record<string, string>; annotations: Record<string, string> }) => void): Record<string, unknown> {
  const copy = structuredClone(job) as { metadata: { labels: Record<string, string>; annotations: Record<string, string> } };
  copy.metadata.labels ??= {};
  copy.metadata.annotations ??= {};
  edit(copy.metadata);
  return copy as unknown as Record<string, unknown>;
}

function annotations(obj: unknown): Record<string, string> {
  return (at(obj, "metadata.annotations") ?? {}) as Record<string, string>;
}

function labels(obj: unknown): Record<string, string> {
  return (at(obj, "metadata.labels") ?? {}) as Record<string, string>;
}

describe("admit with --ado-async-gate: a Kueue-queued PyTorchJob", () => {
  const job = loadJob("jobs/llama-7b-lora_pytorchjob.yaml");

  it("gets exactly our admission gate and the pending label, no resize and no done label", async () => {
    const out = await aGatedHarness().review(anAdmissionReview(job));
    expect(out.result).toBe("patched");
    expect(out.warnings).toEqual([]);
    expect([...out.ops].sort((a, b) => (a.path < b.path ? -1 : 1))).toEqual([
      { op: "add", path: GATE_PATH, value: RIGHTSIZING_GATE },
      { op: "add", path: LABEL_PATH, value: "pending" },
    ]);
    const after = applyOps(job, out.ops);
    expect(at(after, `${MASTER}.resources`)).toEqual(at(job, `${MASTER}.resources`));
    expect(labels(after)["autoconf-plugin-done"]).toBeUndefined();
    expect(annotations(after)["ado-autoconf.ibm.com/recommendation"]).toBeUndefined();
  });

  it("appends our gate to the gates already listed", async () => {
    const listed = withMeta(job, (m) => void (m.annotations[ADMISSION_GATED_BY] = "example.com/gate1"));
    const out = await aGatedHarness().review(anAdmissionReview(listed));
    expect(out.ops).toContainEqual({ op: "replace", path: GATE_PATH, value: "example.com/gate1,gpu-steward.io/rightsizing" });
    expect(out.ops.map((o) => o.path).sort()).toEqual([GATE_PATH, LABEL_PATH]);
  });

  it("is idempotent: the gated job admitted again (reinvocation) gives no operation", async () => {
    const h = aGatedHarness();
    const first = await h.review(anAdmissionReview(job));
    const again = await h.review(anAdmissionReview(applyOps(job, first.ops)));
    expect(again.ops).toEqual([]);
  });

  it("answers a dryRun the same, and records no event either way", async () => {
    const h = aGatedHarness();
    const live = await h.review(anAdmissionReview(job));
    const dry = await h.review(anAdmissionReview(job, { dryRun: true }));
    expect(dry.ops).toEqual(live.ops);
    expect(h.events).toEqual([]);
  });
});

describe("admit with --ado-async-gate: jobs that are sized at once instead", () => {
  const job = loadJob("jobs/llama-7b-lora_pytorchjob.yaml");
  const sizedSynchronously = (after: unknown) => {
    expect(annotations(after)[ADMISSION_GATED_BY]).toBeUndefined();
    expect(labels(after)[RIGHTSIZING_LABEL]).toBeUndefined();
    expect(labels(after)["autoconf-plugin-done"]).toBe("yes");
  };

  it("an AppWrapper (its template is immutable after CREATE)", async () => {
    const wrapper = loadJob("jobs/fms-autoconf-k8s-controller_appwrapper_lora.yaml");
    const out = await aGatedHarness({ ...GATED, defaultGpuModel: "NVIDIA-A100-SXM4-80GB" }).review(anAdmissionReview(wrapper));
    expect(out.result).toBe("patched");
    sizedSynchronously(applyOps(wrapper, out.ops));
  });

  it("a PyTorchJob without the Kueue queue label", async () => {
    const unqueued = withMeta(job, (m) => void delete m.labels["kueue.x-k8s.io/queue-name"]);
    const out = await aGatedHarness().review(anAdmissionReview(unqueued));
    sizedSynchronously(applyOps(unqueued, out.ops));
  });

  it("standalone mode (no gate loop to remove the gate)", async () => {
    const out = await aGatedHarness(GATED, false).review(anAdmissionReview(job));
    sizedSynchronously(applyOps(job, out.ops));
  });

  it("the embedded recommender, or ADO without --ado-async-gate", async () => {
    for (const config of [{ ...GATED, recommender: "embedded" }, { ...GATED, adoAsyncGate: false }]) {
      const out = await aGatedHarness(config).review(anAdmissionReview(job));
      sizedSynchronously(applyOps(job, out.ops));
    }
  });

  it("never gates a job it cannot read: admitted unchanged with a warning, as without the gate", async () => {
    const unreadable = structuredClone(job) as Record<string, unknown>;
    delete (at(unreadable, "spec.pytorchReplicaSpecs.Master.template.spec") as Record<string, unknown>).nodeSelector;
    const out = await aGatedHarness().review(anAdmissionReview(unreadable));
    expect(out.result).toBe("unreadable");
    expect(out.ops).toEqual([]);
    expect(out.warnings[0]).toMatch(/no GPU model/);
  });
});

describe("gate list edits", () => {
  it.each([
    { value: undefined, added: "gpu-steward.io/rightsizing", removed: undefined },
    { value: "", added: "gpu-steward.io/rightsizing", removed: undefined },
    { value: "gpu-steward.io/rightsizing", added: "gpu-steward.io/rightsizing", removed: undefined },
    { value: "example.com/a", added: "example.com/a,gpu-steward.io/rightsizing", removed: "example.com/a" },
    { value: "example.com/a, gpu-steward.io/rightsizing,example.com/b", added: "example.com/a, gpu-steward.io/rightsizing,example.com/b", removed: "example.com/a,example.com/b" },
  ])("$value: appended $added, removed $removed", ({ value, added, removed }) => {
    expect(withGate(value)).toBe(added);
    expect(withoutGate(value)).toBe(removed);
  });
});
