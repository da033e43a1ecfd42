/**
 * The NodeReport schema (zod) and the CRD's schema on the same objects: the realistic XD670 report
 * passes both, and each kind of mistake fails in both, naming the field.
 */
import { describe, expect, it } from "vitest";
import { NodeReportInputError, parseNodeReport, parseNodeReportStatus, type NodeReportStatus } from "../../../core/nodeReport/index.js";
import { parseTopologyReport } from "../../../core/topology/index.js";
import { aNodeReport, aNodeReportStatus, NODE } from "../../builders/nodeReports.js";
import { checkAgainstCrd } from "./nodeReportCrd.js";

type Obj = Record<string, unknown>;
type Status = Obj & { tenants: Obj[]; agent: Obj; throttles: Obj[]; replicas: Obj[]; conditions: Obj[]; allocation: Obj[]; topology: Obj & { links: string[][]; gpus: Obj[] } };

/** The realistic report with one change made by `edit` to a plain JSON copy of its status. */
function reportWith(edit: (status: Status) => void): Obj {
  const status = structuredClone(aNodeReportStatus()) as unknown as Status;
  edit(status);
  return aNodeReport(status as unknown as NodeReportStatus);
}

function zodField(input: unknown): string {
  try {
    parseNodeReport(input);
  } catch (err) {
    if (err instanceof NodeReportInputError) return err.field;
    throw err;
  }
  throw new Error("expected the zod schema to refuse the report");
}

describe("NodeReport: the realistic XD670 report", () => {
  it("passes the zod schema and the CRD schema", () => {
    const report = aNodeReport();
    expect(checkAgainstCrd(report)).toEqual({ valid: true, errors: [] });
    const parsed = parseNodeReport(report);
    expect(parsed.metadata.name).toBe(NODE);
    expect(parsed.status?.summary).toEqual({ gpus: 8, tenants: 2, violatedTenants: 1, throttles: 1, replicas: 3 });
  });

  it("reads back exactly what was written: no field dropped or defaulted", () => {
    const status = aNodeReportStatus();
    expect(parseNodeReportStatus(JSON.parse(JSON.stringify(status)))).toEqual(status);
  });

  it("carries a topology the extender reads as a TopologyReport (ClusterView.setTopology's input)", () => {
    const topology = parseTopologyReport(aNodeReportStatus().topology);
    expect(topology.gpus.map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(topology.gpus[0]).toEqual({
      index: 0,
      uuid: "GPU-3b84c06a-611d-8e07-2726-44a868f646fe",
      busId: "0000:18:00.0",
      model: "NVIDIA H100 80GB HBM3",
      memoryMiB: 81559,
      numaNode: 0,
      cpuAffinity: "0-55,112-167",
    });
    expect(topology.links[4]).toEqual(["NV18", "NV18", "NV18", "NV18", "X", "NV18", "NV18", "NV18"]);
    expect(topology.nics.map((n) => n.name)).toEqual(["mlx5_0", "mlx5_1", "mlx5_2", "mlx5_3", "mlx5_4", "mlx5_5", "mlx5_6", "mlx5_7", "mlx5_8", "mlx5_9", "mlx5_10", "mlx5_11"]);
  });

  it("keeps null where the agent does not know a value, and leaves out a topology not read yet, in both schemas", () => {
    const status = aNodeReportStatus();
    expect(status.tenants[1]).toMatchObject({ p99Ms: null, since: null, state: "unknown" });
    expect(status.replicas[1]).toMatchObject({ ttftP99Ms: null, avgInputTokens: null });
    expect(status.topology?.gpus.map((g) => g.migMode)).toEqual(["disabled", "disabled", "disabled", "disabled", "disabled", "disabled", "enabled", "enabled"]);
    const { topology: _topology, ...unread } = aNodeReportStatus();
    const unknownTopology = aNodeReport({ ...unread, summary: { ...unread.summary, gpus: 0 } });
    expect(parseNodeReport(unknownTopology).status?.topology).toBeUndefined();
    expect(checkAgainstCrd(unknownTopology)).toEqual({ valid: true, errors: [] });
    // An object is left out rather than sent as null (server-side apply and null objects: see report.ts).
    const nullTopology = aNodeReport({ ...unread, topology: null } as unknown as NodeReportStatus);
    expect(zodField(nullTopology)).toBe("nodeReport.status.topology");
    expect(checkAgainstCrd(nullTopology).errors).toEqual(["/status/topology must be object"]);
  });

  it("accepts an object without status (between the object's apply and its first status apply)", () => {
    const { status: _status, ...bare } = aNodeReport();
    expect(parseNodeReport(bare).status).toBeUndefined();
    expect(checkAgainstCrd(bare)).toEqual({ valid: true, errors: [] });
  });
});

const refused: { name: string; edit: (s: Status) => void; zod: string; crd: string[] }[] = [
  {
    name: "a tenant state core/slo does not have",
    edit: (s) => void (s.tenants[0]!["state"] = "ok"),
    zod: "nodeReport.status.tenants.0.state",
    crd: ["/status/tenants/0/state must be equal to one of the allowed values"],
  },
  { name: "a negative p99", edit: (s) => void (s.tenants[0]!["p99Ms"] = -1), zod: "nodeReport.status.tenants.0.p99Ms", crd: ["/status/tenants/0/p99Ms must be >= 0"] },
  {
    name: "an unknown p99 left out instead of null",
    edit: (s) => void delete s.tenants[0]!["p99Ms"],
    zod: "nodeReport.status.tenants.0.p99Ms",
    crd: ["/status/tenants/0 must have required property 'p99Ms'"],
  },
  { name: "a null SLO", edit: (s) => void (s.tenants[0]!["sloMs"] = null), zod: "nodeReport.status.tenants.0.sloMs", crd: ["/status/tenants/0/sloMs must be number"] },
  { name: "an SLO of 0 (exclusive minimum)", edit: (s) => void (s.tenants[0]!["sloMs"] = 0), zod: "nodeReport.status.tenants.0.sloMs", crd: ["/status/tenants/0/sloMs must be > 0"] },
  {
    name: "a heartbeat that is not RFC 3339",
    edit: (s) => void (s.agent["heartbeat"] = "2025-03-01 12:00:00"),
    zod: "nodeReport.status.agent.heartbeat",
    crd: ['/status/agent/heartbeat must match format "date-time"'],
  },
  {
    name: "a cgroup file the agent never throttles",
    edit: (s) => void (s.throttles[0]!["file"] = "memory.max"),
    zod: "nodeReport.status.throttles.0.file",
    crd: ["/status/throttles/0/file must be equal to one of the allowed values"],
  },
  {
    name: "the same tenant twice",
    edit: (s) => void s.tenants.push(structuredClone(s.tenants[0]!)),
    zod: "nodeReport.status.tenants.2",
    crd: ['/status/tenants/2 Duplicate value: ["0b8f3c1e-7a52-4e9d-b6a1-3f2c9d8e4a01"] (as /0)'],
  },
  {
    name: "a link token with a space",
    edit: (s) => void (s.topology.links[0]![1] = "NV 18"),
    zod: "nodeReport.status.topology.links.0.1",
    crd: ['/status/topology/links/0/1 must match pattern "^[A-Za-z0-9#_+.-]{1,16}$"'],
  },
  {
    name: "a request rate as a string",
    edit: (s) => void (s.replicas[0]!["requestRate"] = "4.2"),
    zod: "nodeReport.status.replicas.0.requestRate",
    crd: ["/status/replicas/0/requestRate must be number"],
  },
  {
    name: "a condition status other than True/False/Unknown",
    edit: (s) => void (s.conditions[0]!["status"] = "Yes"),
    zod: "nodeReport.status.conditions.0.status",
    crd: ["/status/conditions/0/status must be equal to one of the allowed values"],
  },
  {
    name: "a namespace that is not a DNS label",
    edit: (s) => void (s.allocation[0]!["namespace"] = "Team-A"),
    zod: "nodeReport.status.allocation.0.namespace",
    crd: ['/status/allocation/0/namespace must match pattern "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"'],
  },
  {
    name: "a 33rd problem",
    edit: (s) => void (s.agent["problems"] = Array.from({ length: 33 }, (_, i) => `problem ${i}`)),
    zod: "nodeReport.status.agent.problems",
    crd: ["/status/agent/problems must NOT have more than 32 items"],
  },
  {
    name: "a missing summary",
    edit: (s) => void delete s["summary"],
    zod: "nodeReport.status.summary",
    crd: ["/status must have required property 'summary'"],
  },
];

describe("NodeReport: mistakes both schemas refuse", () => {
  it.each(refused)("refuses $name", ({ edit, zod, crd }) => {
    const report = reportWith(edit);
    expect(zodField(report)).toBe(zod);
    expect(checkAgainstCrd(report).errors).toEqual(crd);
  });
});

describe("NodeReport: what only the zod schema can say", () => {
  it.each([
    { name: "asymmetric links", edit: (s: Status) => void (s.topology.links[2]![5] = "SYS"), zod: "nodeReport.status.topology.links.5.2" },
    { name: "GPUs out of index order", edit: (s: Status) => void s.topology.gpus.reverse(), zod: "nodeReport.status.topology.gpus.1.index" },
  ])("refuses $name, which the CRD lets through", ({ edit, zod }) => {
    const report = reportWith(edit);
    expect(zodField(report)).toBe(zod);
    expect(checkAgainstCrd(report).valid).toBe(true);
  });

  it("refuses a spec.nodeName other than the object's name", () => {
    const report = { ...aNodeReport(), spec: { nodeName: "gpu-node-8" } };
    expect(zodField(report)).toBe("nodeReport.spec.nodeName");
    expect(checkAgainstCrd(report).valid).toBe(true);
  });
});
