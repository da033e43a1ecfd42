import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkFit, DEFAULT_WEIGHTS, gpuRequestOf, NEUTRAL_COMPONENT, nodeScore, type NodeCapacity, type Weights } from "../../core/placement/index.js";
import { filter, prioritize, type PlacementScorers, type SpendRoute } from "../../extender/placement.js";
import { NodeResolver } from "../../extender/nodeResolver.js";
import { cachedTopologyScorer } from "../../extender/topologyScorer.js";
import { PASSED } from "../../extender/wire.js";
import { ClusterView } from "../../platform/kube/clusterView.js";
import { aTopology } from "../core/topology/topologyBuilder.js";
import { aGpuNode, aGpuPod } from "./harness.js";

const PRODUCTS = ["NVIDIA-H100-80GB-HBM3", "NVIDIA-A100-SXM4-80GB", "NVIDIA-L40S"];
const JOB_TYPES = ["lora", "pretrain", "infer"];
const LAYOUTS = [aTopology(8).links("PHB").link(0, 1, "NV4").link(2, 3, "NV4").build(), aTopology(8).links("NV12").build()];

/** Pure scorers (the model's have side effects: exploration counts), so the reference may call them again. */
function pureScorers(route: SpendRoute | undefined): PlacementScorers {
  return {
    runtime: (jobType, products) => new Map(jobType === undefined ? [] : products.map((p, i) => [p, ((i + 1) * 0.37 * (jobType.length + 1)) % 1])),
    interference: (jobType, neighbours) => (jobType === undefined ? NEUTRAL_COMPONENT : 1 / (1 + [...neighbours].reduce((sum, [type, n]) => sum + n * type.length * 0.1, 0))),
    topology: cachedTopologyScorer(),
    spend: () => route,
  };
}

const nodeSpec = fc.record({
  product: fc.option(fc.constantFrom(...PRODUCTS), { nil: undefined }),
  pool: fc.option(fc.constant("credits"), { nil: undefined }),
  gpus: fc.constantFrom(0, 4, 8),
  pods: fc.array(fc.record({ gpus: fc.integer({ min: 1, max: 4 }), jobType: fc.option(fc.constantFrom(...JOB_TYPES), { nil: undefined }) }), { maxLength: 3 }),
  layout: fc.option(fc.nat(LAYOUTS.length - 1), { nil: undefined }),
  allocated: fc.uniqueArray(fc.nat(7), { maxLength: 4 }),
});

const scenario = fc.record({
  nodes: fc.array(nodeSpec, { minLength: 1, maxLength: 40 }),
  pod: fc.record({ gpus: fc.constantFrom(0, 1, 2, 4, 8), products: fc.option(fc.subarray(PRODUCTS, { minLength: 1, maxLength: 1 }), { nil: undefined }), jobType: fc.option(fc.constantFrom(...JOB_TYPES), { nil: undefined }) }),
  route: fc.option(fc.record({ pool: fc.constant("credits"), toPool: fc.boolean(), closed: fc.boolean() }), { nil: undefined }),
  /** Indices into the nodes (repeats allowed), and names the view does not know. */
  order: fc.array(fc.oneof(fc.nat(60), fc.constant(-1)), { maxLength: 60 }),
  weights: fc.record({ runtime: fc.constantFrom(0, 1, 3), interference: fc.constantFrom(0, 1), topology: fc.constantFrom(1, 2), spend: fc.constantFrom(0, 1) }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function build(s: Scenario) {
  const view = new ClusterView();
  s.nodes.forEach((n, i) => {
    const labels: Record<string, string> = { ...(n.product && { "nvidia.com/gpu.product": n.product }), ...(n.pool && { "gpu-steward.io/pool": n.pool }) };
    const node = aGpuNode(`node-${i}`, n.gpus, labels);
    if (!n.product) delete node.metadata!.labels!["nvidia.com/gpu.product"];
    view.upsertNode(node);
    n.pods.forEach((p, k) => view.upsertPod(aGpuPod(`run-${i}-${k}`, p.gpus, { nodeName: `node-${i}`, ...(p.jobType && { jobType: p.jobType }) })));
    if (n.layout !== undefined) view.setTopology(`node-${i}`, LAYOUTS[n.layout], n.allocated);
  });
  const names = s.order.map((k) => (k === -1 || k >= s.nodes.length ? `ghost-${k}` : `node-${k}`));
  const pod = aGpuPod("pending", s.pod.gpus, { ...(s.pod.products && { products: s.pod.products }), ...(s.pod.jobType && { jobType: s.pod.jobType }) });
  if (s.pod.gpus === 0) pod.spec!.containers = [{}];
  return { view, names, pod };
}

const NEUTRAL = { runtime: NEUTRAL_COMPONENT, interference: NEUTRAL_COMPONENT, topology: NEUTRAL_COMPONENT, spend: NEUTRAL_COMPONENT };

/** The placement answer node by node, with nothing shared between nodes. */
function perNode(capacity: NodeCapacity | undefined, request: ReturnType<typeof gpuRequestOf>, scorers: PlacementScorers, runtime: ReadonlyMap<string, number>, route: SpendRoute | undefined, weights: Weights) {
  if (!capacity) return { fit: undefined, score: nodeScore(NEUTRAL, weights), components: NEUTRAL };
  const fit = checkFit(capacity, request, route?.closed ? { poolClosed: route.pool } : {});
  if (request.gpus === 0) return { fit, score: nodeScore(NEUTRAL, weights), components: NEUTRAL };
  const spend = !route ? NEUTRAL_COMPONENT : route.closed ? (capacity.pool === route.pool ? 0 : 1) : (capacity.pool === route.pool) === route.toPool ? 1 : 0;
  const components = {
    runtime: capacity.product !== undefined ? (runtime.get(capacity.product) ?? NEUTRAL_COMPONENT) : NEUTRAL_COMPONENT,
    interference: scorers.interference(request.jobType, capacity.jobTypes),
    topology: scorers.topology(capacity, request.gpus),
    spend,
  };
  return { fit, score: nodeScore(components, weights), components };
}

/** What changes between calls: a pod lands or leaves, a node's links or labels change (no node joins or leaves). */
const change = fc.oneof(
  fc.record({ kind: fc.constant("bind" as const), node: fc.nat(39), gpus: fc.integer({ min: 1, max: 4 }), jobType: fc.constantFrom(...JOB_TYPES) }),
  fc.record({ kind: fc.constant("unbind" as const), node: fc.nat(39) }),
  fc.record({ kind: fc.constant("links" as const), node: fc.nat(39), layout: fc.option(fc.nat(LAYOUTS.length - 1), { nil: undefined }), allocated: fc.uniqueArray(fc.nat(7), { maxLength: 4 }) }),
  fc.record({ kind: fc.constant("relabel" as const), node: fc.nat(39), product: fc.constantFrom(...PRODUCTS), gpus: fc.constantFrom(0, 8) }),
  // The same GPUs, another job type: only the neighbours change.
  fc.record({ kind: fc.constant("retype" as const), node: fc.nat(39), jobType: fc.constantFrom(...JOB_TYPES) }),
);

type Change = typeof change extends fc.Arbitrary<infer T> ? T : never;

function apply(view: ClusterView, c: Change, s: Scenario, round: number): void {
  const k = c.node % s.nodes.length;
  const name = `node-${k}`;
  const first = s.nodes[k]!.pods[0];
  if (c.kind === "retype") {
    if (first) view.upsertPod(aGpuPod(`run-${k}-0`, first.gpus, { nodeName: name, jobType: c.jobType }));
    return;
  }
  if (c.kind === "bind") view.upsertPod(aGpuPod(`late-${round}-${c.node}`, c.gpus, { nodeName: name, jobType: c.jobType }));
  else if (c.kind === "unbind") view.deletePod(aGpuPod(`run-${k}-0`, 1));
  else if (c.kind === "links") view.setTopology(name, c.layout === undefined ? undefined : LAYOUTS[c.layout], c.allocated);
  else view.upsertNode(aGpuNode(name, c.gpus, { "nvidia.com/gpu.product": c.product }));
}

describe("filter and prioritize decide per distinct node facts as they would per node", () => {
  it("property: same verdicts, reasons, scores and best nodes as the per-node computation, call after call as nodes change", () => {
    fc.assert(
      fc.property(scenario, fc.boolean(), fc.array(fc.array(change, { maxLength: 4 }), { minLength: 1, maxLength: 3 }), (s, withResolver, changes) => {
        const { view, names, pod } = build(s);
        const scorers = pureScorers(s.route);
        const weights = { ...DEFAULT_WEIGHTS, ...s.weights };
        const resolver = withResolver ? new NodeResolver(view) : undefined;
        const p = { view, scorers, weights, ...(resolver && { resolver }) };
        const request = gpuRequestOf(pod);

        // Call after call: later calls go through what the resolver kept (records, class numbers).
        for (let round = 0; round <= changes.length; round++) {
          if (round > 0) for (const c of changes[round - 1]!) apply(view, c, s, round);
          const caps = names.map((n) => view.capacity(n));
          const products = [...new Set(caps.flatMap((c) => (c?.product !== undefined ? [c.product] : [])))].sort();
          const runtime = scorers.runtime(request.jobType, products);
          const expected = caps.map((c) => perNode(c, request, scorers, runtime, s.route, weights));

          // Fresh strings, as JSON.parse gives them.
          const args = { pod, nodeNames: names.map((n) => JSON.parse(JSON.stringify(n)) as string) };
          const out = filter(args, p);
          out.nodes.forEach((node, i) => {
            expect(node.name).toBe(names[i]);
            const v = out.verdicts[i]!;
            const e = expected[i]!;
            if (request.gpus === 0 || e.fit?.fits) expect(v).toBe(PASSED);
            else if (!e.fit) expect(out.reasons[v]).toEqual({ text: "gpu-steward: node not in the cluster view", unresolvable: true });
            else expect(out.reasons[v]).toEqual({ text: !e.fit.fits && e.fit.reason, unresolvable: false });
          });
          expect(out.passed + out.failed + out.unresolvable).toBe(names.length);

          const keep = 5;
          const pr = prioritize(args, p, keep);
          expect(pr.nodes.map((n) => n.name)).toEqual(names);
          expect(pr.scores).toEqual(expected.map((e) => e.score));
          if (request.gpus === 0) {
            expect(pr.best).toEqual([]);
            continue;
          }
          const ranked = names.map((node, i) => ({ node, i })).sort((a, b) => pr.scores[b.i]! - pr.scores[a.i]! || (a.node < b.node ? -1 : a.node > b.node ? 1 : a.i - b.i));
          expect(pr.best.map((b) => b.node)).toEqual(ranked.slice(0, keep).map((r) => r.node));
          pr.best.forEach((b, k) => expect(b.components).toEqual(expected[ranked[k]!.i]!.components));
        }
      }),
      { seed: 31, numRuns: 300 },
    );
  });
});

describe("class numbers kept across calls", () => {
  // Two nodes alike; then one changes. Listed first, a stale class would make it decide for its twin.
  const twins = (resolver: boolean) => {
    const view = new ClusterView();
    for (const name of ["changed", "twin"]) {
      view.upsertNode(aGpuNode(name, 8));
      view.upsertPod(aGpuPod(`run-${name}`, 2, { nodeName: name, jobType: "lora" }));
      view.setTopology(name, LAYOUTS[0], [0, 1]);
    }
    const scorers = pureScorers(undefined);
    return { view, p: { view, scorers, weights: DEFAULT_WEIGHTS, ...(resolver && { resolver: new NodeResolver(view) }) } };
  };
  const args = (gpus: number) => ({ pod: aGpuPod("p", gpus, { jobType: "lora" }), nodeNames: ["changed", "twin"] });

  it.each([
    ["a pod lands (fit key only)", (view: ClusterView) => view.upsertPod(aGpuPod("late", 4, { nodeName: "changed" }))],
    ["a pod changes job type (neighbours only)", (view: ClusterView) => view.upsertPod(aGpuPod("run-changed", 2, { nodeName: "changed", jobType: "pretrain" }))],
    ["its links change (topology only)", (view: ClusterView) => view.setTopology("changed", LAYOUTS[0], [0, 2])],
  ])("a node is judged by its facts now when %s", (_what, changeIt) => {
    const { view, p } = twins(true);
    const fresh = twins(false);
    for (const [v, pl] of [[view, p], [fresh.view, fresh.p]] as const) {
      filter(args(4), pl);
      prioritize(args(2), pl);
      changeIt(v);
    }
    expect(filter(args(4), p).verdicts).toEqual(filter(args(4), fresh.p).verdicts);
    expect(prioritize(args(2), p).scores).toEqual(prioritize(args(2), fresh.p).scores);
    expect(prioritize(args(2), p).scores).toEqual(["changed", "twin"].map((n) => perNode(view.capacity(n), gpuRequestOf(args(2).pod), p.scorers, p.scorers.runtime("lora", ["NVIDIA-H100-80GB-HBM3"]), undefined, DEFAULT_WEIGHTS).score));
  });
});
