/** Agents' NodeReports into the cluster view's topology, as the controller follows them. */
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../platform/clock.js";
import { ClusterView } from "../../../platform/kube/clusterView.js";
import { allocatedIndices, NodeReportFeed } from "../../../platform/kube/nodeReportFeed.js";
import { createLogger } from "../../../platform/log.js";
import { parseNodeReport } from "../../../core/nodeReport/index.js";
import { cachedTopologyScorer } from "../../../extender/topologyScorer.js";
import { aNodeReport, aNodeReportStatus, HEARTBEAT, NODE } from "../../builders/nodeReports.js";

function fixture() {
  const clock = new ManualClock(Date.parse(HEARTBEAT) + 5_000);
  const view = new ClusterView();
  view.upsertNode({ metadata: { name: NODE, labels: { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3" } }, status: { allocatable: { "nvidia.com/gpu": "8" } } });
  const lines: Array<Record<string, unknown>> = [];
  const skipped: string[] = [];
  const feed = new NodeReportFeed({ view, clock, log: createLogger({ level: "warn", destination: { write: (l: string) => void lines.push(JSON.parse(l)) } }), onSkipped: () => skipped.push("x") });
  const score = cachedTopologyScorer();
  const topologyScore = (gpus: number) => score(view.capacity(NODE)!, gpus);
  return { clock, view, feed, lines, skipped, topologyScore };
}

describe("NodeReport feed", () => {
  it("maps allocation device ids (GPU UUIDs, time-slice replicas, MIG devices) to the GPU indices they hold", () => {
    expect(allocatedIndices(parseNodeReport(aNodeReport()))).toEqual([0, 4, 6]);
  });

  it("gives the view the report's links and held GPUs, so placement scores the node by its topology", () => {
    const f = fixture();
    expect(f.topologyScore(2)).toBe(0.5); // no report: neutral
    f.feed.replace([aNodeReport()]);
    const topology = f.view.capacity(NODE)!.topology!;
    expect(topology.allocated).toEqual([0, 4, 6]);
    const score = f.topologyScore(2);
    expect(score).toBeGreaterThan(0.5); // two free NVLink-connected H100s
    f.feed.apply("DELETED", aNodeReport());
    expect(f.view.capacity(NODE)!.topology).toBeUndefined();
  });

  it("drops a report whose heartbeat went stale, on the next event or at the periodic expiry", () => {
    const f = fixture();
    f.feed.apply("ADDED", aNodeReport());
    expect(f.view.capacity(NODE)!.topology).toBeDefined();
    f.clock.advance(3 * 30_000 + 1_000); // three missed polls of 30 s
    expect(f.feed.expire()).toBe(1);
    expect(f.view.capacity(NODE)!.topology).toBeUndefined();
    expect(f.lines.at(-1)).toMatchObject({ kind: "NodeReport", name: NODE, field: expect.stringMatching(/heartbeat stale/) });
    // A stale report arriving (an old object relisted) is not taken either.
    f.feed.replace([aNodeReport()]);
    expect(f.view.capacity(NODE)!.topology).toBeUndefined();
  });

  it("skips a report it cannot read, naming the field once, and keeps the node neutral", () => {
    const f = fixture();
    f.feed.apply("ADDED", aNodeReport());
    const bad = aNodeReport(aNodeReportStatus());
    (bad["status"] as { tenants: Array<{ state: string }> }).tenants[0]!.state = "angry";
    f.feed.apply("MODIFIED", bad);
    f.feed.apply("MODIFIED", bad);
    expect(f.view.capacity(NODE)!.topology).toBeUndefined();
    expect(f.lines).toHaveLength(1);
    expect(f.lines[0]).toMatchObject({ name: NODE, field: expect.stringMatching(/^unreadable: nodeReport\.status\.tenants\.0\.state: /) });
    expect(f.skipped).toHaveLength(2);
    f.feed.apply("MODIFIED", aNodeReport());
    expect(f.view.capacity(NODE)!.topology).toBeDefined();
  });
});
