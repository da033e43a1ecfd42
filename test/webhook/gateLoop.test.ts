/**
 * The leader's half of the asynchronous ADO path: jobs gated by the webhook are sized by RightsizingGateLoop
 * against the in-memory API objects, an in-memory store and the fake ADO server. Passes are driven by
 * calling step(); time moves on a ManualClock.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { pino } from "pino";
import { Registry } from "prom-client";
import type { Operation } from "fast-json-patch";
import { ManualClock } from "../../platform/clock.js";
import { KubeApiError } from "../../platform/kube/errors.js";
import { EVENTS, memoryAdapters, type MemoryKubePorts } from "../../platform/kube/memory.js";
import type { CustomObjects } from "../../platform/kube/ports.js";
import { openStore, PendingRightsizing, type Store } from "../../platform/store/index.js";
import { WebhookConfig } from "../../webhook/config.js";
import { ADMISSION_GATED_BY, RIGHTSIZING_LABEL } from "../../webhook/gate.js";
import { RightsizingGateLoop, PYTORCHJOBS, type StepReport } from "../../webhook/gateLoop.js";
import { GateLoopMetrics } from "../../webhook/gateMetrics.js";
import { AdoRecommender, EmbeddedRecommender } from "../../webhook/recommenders/index.js";
import { anAdmissionReview, loadJob } from "../builders/reviews.js";
import { schemaErrorsAddedBy } from "../builders/crdSchema.js";
import { aHarness, applyOps, at } from "./harness.js";
import { adoResultBody, closedPortUrl, startFakeAdo, type FakeAdo, type FakeAdoBehaviour } from "./recommenders/fakeAdo.js";

const log = pino({ level: "silent" });
const START_MS = 1_700_000_000_000;
const MAX_WAIT_MS = 120_000;
const NAMESPACE = "team-a";
const NAME = "llama-7b-lora-sft";
const MASTER = "spec.pytorchReplicaSpecs.Master.template.spec.containers.0";
const RECOMMENDATION = "ado-autoconf.ibm.com/recommendation";
/** ADO answers 4 GPUs where the embedded model answers 2 (spec §4.8's case), so the tests can tell them apart. */
const ADO_ANSWER = { can_recommend: 1, gpus: 4, workers: 1 };

interface World {
  clock: ManualClock;
  kube: MemoryKubePorts;
  pending: PendingRightsizing;
  loop: RightsizingGateLoop;
  registry: Registry;
  /** Every JSON patch the loop sent, in order. */
  patches: Operation[][];
  ado?: FakeAdo;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function aWorld(ado: FakeAdoBehaviour | "down" = {}, opts: { customObjects?: (inner: CustomObjects) => CustomObjects } = {}): Promise<World> {
  const clock = new ManualClock(START_MS);
  const kube = memoryAdapters(log, clock, { podName: "steward-0" });
  const store: Store = openStore(":memory:", log);
  cleanups.push(() => store.close());
  let server: FakeAdo | undefined;
  let url: string;
  if (ado === "down") url = await closedPortUrl();
  else {
    server = await startFakeAdo({ answer: ADO_ANSWER, ...ado });
    cleanups.push(() => server!.close());
    url = server.url;
  }
  const config = WebhookConfig.parse({ recommender: "ado", adoUrl: url, adoAsyncGate: true, adoGateMaxWaitMs: MAX_WAIT_MS });
  const pending = new PendingRightsizing(store.db);
  const registry = new Registry();
  const patches: Operation[][] = [];
  const inner = opts.customObjects ? opts.customObjects(kube.customObjects) : kube.customObjects;
  const loop = new RightsizingGateLoop({
    customObjects: {
      list: (gvr, o) => inner.list(gvr, o),
      get: (gvr, ns, name) => inner.get(gvr, ns, name),
      jsonPatch: (gvr, ns, name, ops) => (patches.push(ops), inner.jsonPatch(gvr, ns, name, ops)),
    },
    events: kube.events,
    store: pending,
    ado: new AdoRecommender({ baseUrl: url, clock, log }),
    fallback: new EmbeddedRecommender(),
    config,
    clock,
    log,
    metrics: new GateLoopMetrics(registry),
    configMaps: kube.configMaps,
  });
  return { clock, kube, pending, loop, registry, patches, ...(server && { ado: server }) };
}

/** Creates `job` as the API server would store it after our webhook gated it at CREATE. */
async function createGated(world: World, edit: (job: Record<string, unknown>) => void = () => {}): Promise<Record<string, unknown>> {
  const job = loadJob("jobs/llama-7b-lora_pytorchjob.yaml");
  edit(job);
  const h = aHarness({ config: { recommender: "ado", adoUrl: "http://ado.invalid", adoAsyncGate: true } });
  h.deps.gate = { enabled: true };
  const out = await h.review(anAdmissionReview(job));
  expect(out.ops).toHaveLength(2);
  return world.kube.store.create(PYTORCHJOBS, NAMESPACE, applyOps(job, out.ops));
}

function stored(world: World): Record<string, unknown> {
  const job = world.kube.store.get(PYTORCHJOBS, NAMESPACE, NAME);
  if (!job) throw new Error("job not stored");
  return job;
}

const annotations = (obj: unknown) => (at(obj, "metadata.annotations") ?? {}) as Record<string, string>;
const labels = (obj: unknown) => (at(obj, "metadata.labels") ?? {}) as Record<string, string>;
const gpus = (obj: unknown) => (at(obj, `${MASTER}.resources.limits`) as Record<string, unknown>)["nvidia.com/gpu"];
const recommendation = (obj: unknown) => JSON.parse(annotations(obj)[RECOMMENDATION]!) as Record<string, unknown>;
const events = (world: World) => world.kube.store.list(EVENTS, { namespace: NAMESPACE }).map((e) => ({ type: e.type, reason: e.reason, message: e.message }));

function report(partial: Partial<StepReport>): StepReport {
  return { listed: 1, submitted: 0, pending: 0, patched: 0, "no-recommendation": 0, unreadable: 0, "given-up": 0, conflict: 0, gone: 0, error: 0, ...partial };
}

function expectSizedAndReleased(job: unknown, want: { gpus: number; gates?: string }): void {
  expect(gpus(job)).toBe(want.gpus);
  expect(annotations(job)[ADMISSION_GATED_BY]).toBe(want.gates);
  expect(labels(job)[RIGHTSIZING_LABEL]).toBe("done");
  expect(labels(job)["autoconf-plugin-done"]).toBe("yes");
}

describe("gate loop: ADO answers", () => {
  it("submits, waits while ADO is pending, then patches once: resized, gate removed, labels done, annotated", async () => {
    const world = await aWorld({ pendingPolls: 1 });
    const created = await createGated(world, (job) => {
      (job.metadata as { annotations: Record<string, string> }).annotations[ADMISSION_GATED_BY] = "example.com/gate1";
    });
    expect(annotations(created)[ADMISSION_GATED_BY]).toBe("example.com/gate1,gpu-steward.io/rightsizing");

    expect(await world.loop.step()).toEqual(report({ submitted: 1 }));
    const row = world.pending.get(NAMESPACE, NAME);
    expect(row).toMatchObject({ kind: "PyTorchJob", adoRequestId: "req-1", createdMs: START_MS, inputs: { inputs: { modelName: "llama-7b", requestedGpus: 8 }, limits: { policy: "min-gpus" } } });
    expect(world.ado!.requests.map((r) => r.method)).toEqual(["POST"]);

    world.clock.advance(2_000);
    expect(await world.loop.step()).toEqual(report({ pending: 1 }));
    expect(stored(world)).toEqual(created);

    world.clock.advance(2_000);
    expect(await world.loop.step()).toEqual(report({ patched: 1 }));
    const job = stored(world);
    expectSizedAndReleased(job, { gpus: 4, gates: "example.com/gate1" });
    expect(recommendation(job)).toMatchObject({ recommendation: { gpus: 4, workers: 1 }, recommender: "ado" });
    expect(recommendation(job).fallback).toBeUndefined();
    expect(schemaErrorsAddedBy(created, job)).toEqual([]);
    // One patch, its first op guarding the gate list it was computed from.
    expect(world.patches).toHaveLength(1);
    expect(world.patches[0]![0]).toEqual({ op: "test", path: "/metadata/annotations/kueue.x-k8s.io~1admission-gated-by", value: "example.com/gate1,gpu-steward.io/rightsizing" });
    expect(world.pending.list()).toEqual([]);
    expect(events(world)).toEqual([
      { type: "Normal", reason: "ADORequestSubmitted", message: expect.stringContaining("req-1") },
      { type: "Normal", reason: "PatchedWithRecommendations", message: expect.any(String) },
    ]);

    // Nothing is listed any more: the next pass is a no-op.
    expect(await world.loop.step()).toEqual(report({ listed: 0 }));
    expect(world.ado!.requests.map((r) => r.method)).toEqual(["POST", "GET", "GET"]);
  });

  it("removes the annotation when ours was the only gate", async () => {
    const world = await aWorld();
    await createGated(world);
    await world.loop.step();
    expect(await world.loop.step()).toEqual(report({ patched: 1 }));
    expect(ADMISSION_GATED_BY in annotations(stored(world))).toBe(false);
  });

  it("ADO's no-fit: the gate still goes, labels done, a Warning event, resources as asked", async () => {
    const world = await aWorld({ answer: { can_recommend: 0 } });
    const created = await createGated(world);
    await world.loop.step();
    expect(await world.loop.step()).toEqual(report({ "no-recommendation": 1 }));
    const job = stored(world);
    expectSizedAndReleased(job, { gpus: gpus(created) as number });
    expect(recommendation(job)).toMatchObject({ error: "No recommendation", code: "no-fit", recommender: "ado" });
    expect(events(world).at(-1)).toMatchObject({ type: "Warning", reason: "NoRecommendationAvailable" });
    expect(world.pending.list()).toEqual([]);
  });
});

describe("gate loop: ADO does not answer", () => {
  it("never answers: after --ado-gate-max-wait-ms the embedded model sizes the job and the annotation says so", async () => {
    const world = await aWorld({ pendingPolls: Number.POSITIVE_INFINITY });
    await createGated(world);
    expect(await world.loop.step()).toEqual(report({ submitted: 1 }));
    world.clock.advance(MAX_WAIT_MS - 1);
    expect(await world.loop.step()).toEqual(report({ pending: 1 }));
    expect(labels(stored(world))[RIGHTSIZING_LABEL]).toBe("pending");

    world.clock.advance(1);
    expect(await world.loop.step()).toEqual(report({ patched: 1 }));
    const job = stored(world);
    expectSizedAndReleased(job, { gpus: 2 });
    expect(recommendation(job)).toMatchObject({ recommendation: { gpus: 2 }, recommender: "embedded", fallback: expect.stringMatching(/^ado: .*still pending after 120000 ms/) });
    expect(world.pending.list()).toEqual([]);
    expect(await world.registry.getSingleMetricAsString("gpu_steward_webhook_gate_fallbacks_total")).toContain('reason="timed-out"} 1');
  });

  it("unreachable at submit: the embedded model sizes the job in the same pass", async () => {
    const world = await aWorld("down");
    await createGated(world);
    expect(await world.loop.step()).toEqual(report({ patched: 1 }));
    expect(recommendation(stored(world))).toMatchObject({ recommender: "embedded", fallback: expect.stringMatching(/^ado: .*ECONNREFUSED/) });
    expect(world.pending.list()).toEqual([]);
  });

  it("a 5xx while polling is transient: the same request is polled again until it answers", async () => {
    const world = await aWorld({ result: (_id, n) => (n === 1 ? { status: 503, body: "busy" } : { status: 200, body: adoResultBody(ADO_ANSWER) }) });
    await createGated(world);
    await world.loop.step();
    expect(await world.loop.step()).toEqual(report({ pending: 1 }));
    expect(await world.loop.step()).toEqual(report({ patched: 1 }));
    expect(recommendation(stored(world))).toMatchObject({ recommender: "ado", recommendation: { gpus: 4 } });
  });
});

describe("gate loop: the job changes or goes away", () => {
  it("gate annotation edited under us: the test op refuses the patch, nothing is lost, the next pass succeeds", async () => {
    let raced = false;
    const world = await aWorld({}, {
      customObjects: (inner) => ({
        list: (gvr, opts) => inner.list(gvr, opts),
        get: (gvr, ns, name) => inner.get(gvr, ns, name),
        async jsonPatch(gvr, ns, name, ops) {
          if (!raced) {
            raced = true;
            // Another controller clears its own gate between our list and our patch.
            await inner.jsonPatch(gvr, ns, name, [{ op: "replace", path: "/metadata/annotations/kueue.x-k8s.io~1admission-gated-by", value: "gpu-steward.io/rightsizing" }]);
          }
          return inner.jsonPatch(gvr, ns, name, ops);
        },
      }),
    });
    await createGated(world, (job) => {
      (job.metadata as { annotations: Record<string, string> }).annotations[ADMISSION_GATED_BY] = "example.com/gate1";
    });
    await world.loop.step();

    expect(await world.loop.step()).toEqual(report({ conflict: 1 }));
    const raceResult = stored(world);
    expect(annotations(raceResult)[ADMISSION_GATED_BY]).toBe("gpu-steward.io/rightsizing");
    expect(labels(raceResult)[RIGHTSIZING_LABEL]).toBe("pending");
    expect(gpus(raceResult)).toBe(8);
    expect(world.pending.get(NAMESPACE, NAME)?.adoRequestId).toBe("req-1");

    expect(await world.loop.step()).toEqual(report({ patched: 1 }));
    const job = stored(world);
    expectSizedAndReleased(job, { gpus: 4 });
    expect(ADMISSION_GATED_BY in annotations(job)).toBe(false);
    expect(annotations(job)["team-a.example.com/owner"]).toBe("ml-platform");
    expect(world.pending.list()).toEqual([]);
    // Same request id polled again: ADO was not asked twice.
    expect(world.ado!.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("job deleted while waiting: its row is dropped", async () => {
    const world = await aWorld({ pendingPolls: Number.POSITIVE_INFINITY });
    await createGated(world);
    await world.loop.step();
    expect(world.pending.list()).toHaveLength(1);
    world.kube.store.delete(PYTORCHJOBS, NAMESPACE, NAME);

    expect(await world.loop.step()).toEqual(report({ listed: 0, gone: 1 }));
    expect(world.pending.list()).toEqual([]);
  });

  it("job deleted between list and patch (404): its row is dropped", async () => {
    const world = await aWorld({}, {
      customObjects: (inner) => ({
        list: (gvr, opts) => inner.list(gvr, opts),
        get: (gvr, ns, name) => inner.get(gvr, ns, name),
        jsonPatch: async (gvr, ns, name, ops) => {
          world.kube.store.delete(gvr, ns, name);
          return inner.jsonPatch(gvr, ns, name, ops);
        },
      }),
    });
    await createGated(world);
    await world.loop.step();
    expect(await world.loop.step()).toEqual(report({ gone: 1 }));
    expect(world.pending.list()).toEqual([]);
  });

  it("job recreated under the same name: the old request is dropped and the new job submitted afresh", async () => {
    const world = await aWorld({ pendingPolls: Number.POSITIVE_INFINITY, submit: (() => { let n = 0; return () => ({ status: 200, body: JSON.stringify([`req-${++n}`]) }); })() });
    await createGated(world);
    await world.loop.step();
    world.kube.store.delete(PYTORCHJOBS, NAMESPACE, NAME);
    await createGated(world);
    expect(await world.loop.step()).toEqual(report({ submitted: 1 }));
    expect(world.pending.get(NAMESPACE, NAME)?.adoRequestId).toBe("req-2");
  });

  it("job edited so it no longer reads (GPU model removed): retried for the wait, then released unchanged with a Warning", async () => {
    const world = await aWorld();
    await createGated(world);
    await world.loop.step();
    await world.kube.customObjects.jsonPatch(PYTORCHJOBS, NAMESPACE, NAME, [{ op: "remove", path: "/spec/pytorchReplicaSpecs/Master/template/spec/nodeSelector" }]);
    // A read failure may be a ConfigMap that did not load: retried until the job has waited the max wait.
    expect(await world.loop.step()).toEqual(report({ pending: 1 }));
    expect(labels(stored(world))[RIGHTSIZING_LABEL]).toBe("pending");
    world.clock.advance(MAX_WAIT_MS);
    expect(await world.loop.step()).toEqual(report({ unreadable: 1 }));
    const job = stored(world);
    expect(ADMISSION_GATED_BY in annotations(job)).toBe(false);
    expect(labels(job)[RIGHTSIZING_LABEL]).toBe("done");
    expect(gpus(job)).toBe(8);
    expect(events(world).at(-1)).toMatchObject({ type: "Warning", reason: "RightsizingSkipped", message: expect.stringMatching(/no GPU model/) });
    expect(world.pending.list()).toEqual([]);
  });
});

describe("gate loop: someone else removed our gate", () => {
  it("is not resized (Kueue may be running it), only labelled done, with a Warning", async () => {
    const world = await aWorld({ pendingPolls: Number.POSITIVE_INFINITY });
    await createGated(world);
    await world.loop.step();
    await world.kube.customObjects.jsonPatch(PYTORCHJOBS, NAMESPACE, NAME, [{ op: "remove", path: "/metadata/annotations/kueue.x-k8s.io~1admission-gated-by" }]);
    expect(await world.loop.step()).toEqual(report({ "given-up": 1 }));
    const job = stored(world);
    expect(gpus(job)).toBe(8);
    expect(labels(job)[RIGHTSIZING_LABEL]).toBe("done");
    expect(labels(job)["autoconf-plugin-done"]).toBeUndefined();
    expect(events(world).at(-1)).toMatchObject({ type: "Warning", reason: "RightsizingSkipped", message: expect.stringMatching(/gate removed/) });
    expect(world.pending.list()).toEqual([]);
  });
});

describe("gate loop: failures stay inside a pass", () => {
  it("a failing list is counted, not thrown", async () => {
    const world = await aWorld();
    await createGated(world);
    world.kube.store.failNext("list", PYTORCHJOBS, new KubeApiError(500, "InternalError", "etcd timeout"));
    expect(await world.loop.step()).toEqual(report({ listed: 0, error: 1 }));
    expect(await world.loop.step()).toEqual(report({ submitted: 1 }));
  });

  it("one job's failure (500 on its patch) leaves the others to proceed, and it is retried", async () => {
    const world = await aWorld();
    await createGated(world);
    await createGated(world, (job) => void ((job.metadata as { name: string }).name = "second-job"));
    expect(await world.loop.step()).toEqual(report({ listed: 2, submitted: 2 }));
    world.kube.store.failNext("patch", PYTORCHJOBS, new KubeApiError(500, "InternalError", "etcd timeout"));
    expect(await world.loop.step()).toEqual(report({ listed: 2, patched: 1, error: 1 }));
    expect(await world.loop.step()).toEqual(report({ listed: 1, patched: 1 }));
    expect(world.pending.list()).toEqual([]);
  });

  it("a job whose patch keeps being refused is released unsized after twice the wait, never left gated", async () => {
    const world = await aWorld({}, {
      customObjects: (inner) => ({
        list: (gvr, opts) => inner.list(gvr, opts),
        get: (gvr, ns, name) => inner.get(gvr, ns, name),
        jsonPatch: async (gvr, ns, name, ops) => {
          // A schema the resize breaks (simulated): refuse any patch touching the containers.
          if (ops.some((o) => o.path.includes("/containers/"))) throw new KubeApiError(422, "Invalid", "spec: Invalid value");
          return inner.jsonPatch(gvr, ns, name, ops);
        },
      }),
    });
    await createGated(world);
    await world.loop.step();
    expect(await world.loop.step()).toEqual(report({ conflict: 1 }));
    world.clock.advance(2 * MAX_WAIT_MS);
    expect(await world.loop.step()).toEqual(report({ "given-up": 1 }));
    const job = stored(world);
    expect(labels(job)[RIGHTSIZING_LABEL]).toBe("done");
    expect(gpus(job)).toBe(8);
    expect(events(world).at(-1)).toMatchObject({ type: "Warning", reason: "RightsizingSkipped" });
  });

  it("run() passes until its signal aborts", async () => {
    const world = await aWorld();
    const controller = new AbortController();
    const step = vi.spyOn(world.loop, "step").mockImplementation(async () => {
      if (step.mock.calls.length === 2) controller.abort();
      return report({ listed: 0 });
    });
    await world.loop.run(controller.signal, 1);
    expect(step).toHaveBeenCalledTimes(2);
  });
});
