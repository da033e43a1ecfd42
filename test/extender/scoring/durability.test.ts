import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ScoringModel } from "../../../core/scoring/index.js";
import { openScoringState } from "../../../extender/scoring/index.js";
import { ManualClock } from "../../../platform/clock.js";
import { openStore, type Store } from "../../../platform/store/index.js";
import { silentLog, tempDir } from "./scoringApp.js";

const script = join(dirname(fileURLToPath(import.meta.url)), "killedScorer.ts");
/** The child's clock, which stands still: every observation is learned at this time. */
const KILLED_SCORER_CLOCK_MS = 1_700_000_000_000;

interface Scorer {
  child: ChildProcessWithoutNullStreams;
  base: string;
}

async function startScorer(path: string, checkpointEvery: number): Promise<Scorer> {
  const child = spawn(process.execPath, ["--import", "tsx", script, path, String(checkpointEvery), String(KILLED_SCORER_CLOCK_MS)], { stdio: "pipe" });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`scorer exited early with ${String(code)}`)));
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
  });
  child.removeAllListeners("exit");
  return { child, base: `http://127.0.0.1:${port}` };
}

async function kill(s: Scorer): Promise<NodeJS.Signals | null> {
  const exited = new Promise<NodeJS.Signals | null>((resolve) => s.child.once("exit", (_code, signal) => resolve(signal)));
  s.child.kill("SIGKILL");
  return exited;
}

const observe = (s: Scorer, body: object) =>
  fetch(`${s.base}/v1/observe`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("scoring API durability under SIGKILL", () => {
  let dir: string;
  let scorer: Scorer | undefined;
  const stores: Store[] = [];
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    if (scorer && scorer.child.exitCode === null && scorer.child.signalCode === null) await kill(scorer);
    scorer = undefined;
    stores.splice(0).forEach((s) => s.close());
    rmSync(dir, { recursive: true, force: true });
  });

  const reopen = (path: string) => {
    const store = openStore(path, silentLog);
    stores.push(store);
    return { db: store.db, ...openScoringState(store.db, new ManualClock(KILLED_SCORER_CLOCK_MS), silentLog, { timer: false }) };
  };

  it("keeps every observation acknowledged before a kill -9, across a checkpoint and its pruning", async () => {
    const path = join(dir, "steward.db");
    scorer = await startScorer(path, 5);
    const expected = new ScoringModel();
    const runtimes = [5, 5.2, 4.8, 5.1, 4.9, 8, 7.5, 12, 6, 5.5, 9.25, 4.75];
    for (const [i, runtime] of runtimes.entries()) {
      const body = { job_type: i % 3 === 0 ? "gpt" : "bert", gpu_type: i % 2 === 0 ? "A100" : "L4", measured_runtime_s: runtime };
      const res = await observe(scorer, body);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: "ok", observation_id: i + 1 });
      expected.observe({ jobType: body.job_type, gpuType: body.gpu_type, runtimeS: runtime }, KILLED_SCORER_CLOCK_MS);
    }
    expect(await kill(scorer)).toBe("SIGKILL"); // right after the last 200: no final checkpoint ran

    const after = reopen(path);
    // 12 observations, a checkpoint every 5: through 10 with 11 and 12 left in the journal to replay.
    expect(after.db.prepare("SELECT through_observation_id AS through FROM scoring_model").get()).toEqual({ through: 10 });
    expect(after.db.prepare("SELECT id FROM scoring_observations ORDER BY id").all()).toEqual([{ id: 11 }, { id: 12 }]);
    expect(after.model.snapshot()).toEqual(expected.snapshot());
  });

  it("keeps every acknowledged one of concurrent observations when killed at the fifth 200", async () => {
    const path = join(dir, "steward.db");
    scorer = await startScorer(path, 3);
    const s = scorer;
    const acknowledged: string[] = [];
    let killed: Promise<NodeJS.Signals | null> | undefined;
    const posts = Array.from({ length: 40 }, (_, i) =>
      observe(s, { job_type: "bert", gpu_type: `gpu-${i}`, runtime_seconds: 1 + i }).then(
        (res) => {
          if (res.status !== 200 || killed) return;
          acknowledged.push(`gpu-${i}`);
          if (acknowledged.length === 5) killed = kill(s);
        },
        () => undefined, // refused or cut off by the kill: never acknowledged
      ),
    );
    await Promise.all(posts);
    expect(await killed).toBe("SIGKILL");
    expect(acknowledged).toHaveLength(5);

    const after = reopen(path);
    for (const gpu of acknowledged) expect(after.model.statsOf("bert", gpu), gpu).toMatchObject({ meanRuntimeS: Number(gpu.slice(4)) + 1, count: 1 });
  });
});
