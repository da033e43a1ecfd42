import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const nodeFixtures = fileURLToPath(new URL("../../fixtures/node/", import.meta.url));

/** A fixture from test/fixtures/node (see test/fixtures/SOURCES.md). */
export const nodeFixture = (name: string): string => readFileSync(nodeFixtures + name, "utf8");

export const VLLM_DUMP = "vllm-metrics_qwen3-0.6b_v0-engine.prom";

/** Cumulative buckets from `le → count` pairs, `+Inf` written as Infinity. */
export const buckets = (pairs: ReadonlyArray<readonly [number, number]>): Array<{ le: number; count: number }> =>
  pairs.map(([le, count]) => ({ le, count }));
