import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../platform/clock.js";
import { GoneError } from "../../../platform/kube/errors.js";
import type { ObjectWatch } from "../../../platform/kube/ports.js";
import { backoffMs, runReflector, type ReflectorSink } from "../../../platform/kube/reflector.js";
import { createLogger } from "../../../platform/log.js";

const log = createLogger({ level: "silent" });
const sink: ReflectorSink = { replace: () => undefined, apply: () => undefined };
/** Watchdog and resync timers (minutes) never fire in these tests: they end when their watch does. */
const untilAborted = (signal: AbortSignal): Promise<void> => new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
const WATCHDOG_MS = 300_000;

describe("backoffMs", () => {
  it.each([
    { failures: 1, random: 0, want: 400 },
    { failures: 1, random: 0.999, want: 799.6 },
    { failures: 3, random: 0, want: 1_600 },
    { failures: 10, random: 0, want: 15_000 },
    { failures: 10, random: 0.999, want: 29_985 },
  ])("failure $failures, random $random: $want ms", ({ failures, random, want }) => {
    expect(backoffMs(failures, { initialMs: 800, maxMs: 30_000 }, () => random)).toBeCloseTo(want, 6);
  });
});

describe("runReflector", () => {
  it("relists at once after one 410, but backs off when the server keeps answering 410", async () => {
    const stop = new AbortController();
    let lists = 0;
    const delays: number[] = [];
    const source: ObjectWatch = {
      resource: "pods",
      list: async () => ({ items: [], resourceVersion: String(++lists) }),
      watch: async () => {
        throw new GoneError("Expired", "too old resource version");
      },
    };
    await runReflector(
      {
        source,
        sink,
        log,
        clock: new ManualClock(0),
        random: () => 0,
        backoff: { initialMs: 800, maxMs: 30_000 },
        wait: async (ms, signal) => {
          if (ms >= WATCHDOG_MS) return untilAborted(signal);
          delays.push(ms);
          if (delays.length === 3) stop.abort();
        },
      },
      stop.signal,
    );
    // list, 410 (relist at once), list, 410 (wait 800), list, 410 (wait 1600), list, 410 (wait 3200) → stop
    expect(lists).toBe(4);
    expect(delays).toEqual([800, 1_600, 3_200]);
  });

  it("treats a watch that closes at once without an event as a failure, so a broken proxy is not hammered", async () => {
    const stop = new AbortController();
    const resumedFrom: string[] = [];
    const delays: number[] = [];
    const source: ObjectWatch = {
      resource: "nodes",
      list: async () => ({ items: [], resourceVersion: "7" }),
      watch: async (opts) => void resumedFrom.push(opts.resourceVersion),
    };
    await runReflector(
      {
        source,
        sink,
        log,
        clock: new ManualClock(0),
        random: () => 0,
        backoff: { initialMs: 800, maxMs: 30_000 },
        wait: async (ms, signal) => {
          if (ms >= WATCHDOG_MS) return untilAborted(signal);
          delays.push(ms);
          if (delays.length === 3) stop.abort();
        },
      },
      stop.signal,
    );
    // Equal jitter with random 0: half of 800, 1600, 3200; and every retry resumes, none relists.
    expect(delays).toEqual([400, 800, 1_600]);
    expect(resumedFrom).toEqual(["7", "7", "7"]);
  });
});
