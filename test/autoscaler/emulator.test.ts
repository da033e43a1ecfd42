/**
 * The load emulator against the in-memory cluster, and end to end: the emulator moves a server's
 * load, `GET /invoke` runs a cycle, and the Deployment is scaled as planned.
 */
import { readFile } from "node:fs/promises";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { AutoscalerConfig } from "../../autoscaler/config.js";
import { startAutoscaler, type RunningAutoscaler } from "../../autoscaler/controller.js";
import { LoadEmulator } from "../../autoscaler/index.js";
import { CLASSIC_DEFAULTS, MEAN_REVERTING_DEFAULTS } from "../../core/inference/index.js";
import { KubeApiError } from "../../platform/kube/errors.js";
import { DEPLOYMENTS } from "../../platform/kube/memoryDeployments.js";
import { aVllmDeployment, deploymentOf, newCluster, seed, silentLog, SMALL_DATA } from "./inferenceCluster.js";

let running: RunningAutoscaler | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const premium = (rpm: string, extraLabels: Record<string, string> = {}) =>
  aVllmDeployment({ name: "premium-llama", server: "Premium-llama_13b", model: "llama_13b", serviceClass: "Premium", accelerator: "L4", replicas: 1, load: { rpm, inTokens: "256", outTokens: "512" }, extraLabels });

describe("load emulator", () => {
  it("moves each managed Deployment's load labels, replaying the same walk for a seed", async () => {
    const walks: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const { kube } = newCluster();
      seed(kube, premium("60"));
      seed(kube, aVllmDeployment({ name: "no-load", server: "Free-llama_13b", model: "llama_13b", serviceClass: "Free", replicas: 1 }));
      const emulator = new LoadEmulator({ deployments: kube.deployments, settings: CLASSIC_DEFAULTS, seed: 42, log: silentLog });
      const seen: string[] = [];
      for (let i = 0; i < 5; i++) {
        const changes = await emulator.step();
        expect(changes.map((c) => [c.name, c.result])).toEqual([["premium-llama", "written"]]);
        const labels = deploymentOf(kube, "infer", "premium-llama").labels;
        seen.push(`${labels["inferno.server.load.rpm"]}/${labels["inferno.server.load.intokens"]}/${labels["inferno.server.load.outtokens"]}`);
        const rpm = Number(labels["inferno.server.load.rpm"]);
        expect(rpm).toBeGreaterThanOrEqual(6);
        expect(rpm).toBeLessThanOrEqual(240);
      }
      expect(new Set(seen).size).toBeGreaterThan(1);
      // The Deployment without load labels is left as it was.
      expect(deploymentOf(kube, "infer", "no-load").labels["inferno.server.load.rpm"]).toBeUndefined();
      walks.push(seen);
    }
    expect(walks[0]).toEqual(walks[1]);
  });

  it("writes every label family the Deployment carries, reverting to its nominal in mean-reverting mode", async () => {
    const { kube } = newCluster();
    seed(
      kube,
      premium("10", {
        "gpu-steward.io/inference-managed": "true",
        "gpu-steward.io/inference-server": "Premium-llama_13b",
        "inferno.server.load.nominal.rpm": "200",
        "inferno.server.load.nominal.intokens": "256",
        "inferno.server.load.nominal.outtokens": "512",
      }),
    );
    const emulator = new LoadEmulator({ deployments: kube.deployments, settings: { ...MEAN_REVERTING_DEFAULTS, alpha: 0 }, seed: 1, log: silentLog });
    await emulator.step();
    const labels = deploymentOf(kube, "infer", "premium-llama").labels;
    // rpm 10 → 10 + 0.2·(200 − 10) = 48, in both families.
    expect(labels["inferno.server.load.rpm"]).toBe("48");
    expect(labels["gpu-steward.io/load-rpm"]).toBe("48");
  });

  it("one Deployment that cannot be patched does not stop the others", async () => {
    const { kube } = newCluster();
    seed(kube, premium("60"));
    seed(kube, aVllmDeployment({ name: "bronze-llama", server: "Bronze-llama_13b", model: "llama_13b", serviceClass: "Bronze", replicas: 1, load: { rpm: "30", inTokens: "256", outTokens: "256" } }));
    kube.store.failNext("patch", DEPLOYMENTS, new KubeApiError(409, "Conflict", "the object has been modified"));
    const changes = await new LoadEmulator({ deployments: kube.deployments, settings: CLASSIC_DEFAULTS, seed: 3, log: silentLog }).step();
    expect(changes.map((c) => [c.name, c.result])).toEqual([
      ["bronze-llama", "failed"],
      ["premium-llama", "written"],
    ]);
  });

  it("end to end: the emulated load rises, /invoke runs a cycle, and the Deployment is scaled for it", async () => {
    const { kube, clock } = newCluster();
    seed(kube, premium("6"));
    const config = AutoscalerConfig.parse({ port: 0, bindAddress: "127.0.0.1", periodSeconds: 0, dataPath: SMALL_DATA, capacityFrom: "file", log: { level: "silent" }, loadFromNodeReports: false });
    running = await startAutoscaler(config, { kube, log: silentLog, clock, readFile: (p) => readFile(p, "utf8"), leaderElection: false });
    expect((await request(`http://127.0.0.1:${running.port}`).get("/invoke")).status).toBe(200);
    const before = deploymentOf(kube, "infer", "premium-llama").replicas;
    // The mean-reverting emulator pulls the load to its nominal of 240 rpm (no noise, full pull).
    await kube.deployments.change("infer", "premium-llama", { labels: { "inferno.server.load.nominal.rpm": "240", "inferno.server.load.nominal.intokens": "256", "inferno.server.load.nominal.outtokens": "512" } });
    const emulator = new LoadEmulator({ deployments: kube.deployments, settings: { mode: "mean-reverting", alpha: 0, theta: 1 }, seed: 5, log: silentLog });
    await emulator.step();
    expect(deploymentOf(kube, "infer", "premium-llama").labels["inferno.server.load.rpm"]).toBe("240");
    expect((await request(`http://127.0.0.1:${running.port}`).get("/invoke")).status).toBe(200);
    const after = deploymentOf(kube, "infer", "premium-llama").replicas;
    const actuation = running.lastReport()?.actuations.find((a) => a.decision.server.deploymentName === "premium-llama");
    expect(after).toBeGreaterThan(before);
    expect(actuation).toMatchObject({ result: "changed", decision: { targetReplicas: after, server: { loadOrigin: "labels", document: { currentAlloc: { load: { arrivalRate: 240 } } } } } });
  });
});

describe("steward autoscaler emulate", () => {
  it("runs the given number of steps on the cluster's Deployments and refuses bad settings by field", async () => {
    const { runAutoscalerEmulate } = await import("../../cmd/autoscalerEmulate.js");
    const { kube } = newCluster();
    seed(kube, premium("60"));
    const slept: number[] = [];
    const code = await runAutoscalerEmulate({ steps: "3", interval: "20", seed: "9", "log-level": "silent" }, { deployments: kube.deployments, env: {}, sleep: async (ms) => void slept.push(ms) });
    expect(code).toBe(0);
    expect(slept).toEqual([20_000, 20_000, 20_000]);
    expect(deploymentOf(kube, "infer", "premium-llama").labels["inferno.server.load.rpm"]).not.toBe("60");
    await expect(runAutoscalerEmulate({ alpha: "2", steps: "1" }, { deployments: kube.deployments, env: {} })).rejects.toThrow(/alpha: .*\(from --alpha\)/);
    await expect(runAutoscalerEmulate({ mode: "sine", steps: "1" }, { deployments: kube.deployments, env: {} })).rejects.toThrow(/mode: .*\(from --mode\)/);
  });
});
