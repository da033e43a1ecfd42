import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ScoringModel, type ModelSnapshot, type Observation } from "../../../core/scoring/index.js";
import { openScoringState } from "../../../extender/scoring/index.js";
import { ManualClock } from "../../../platform/clock.js";
import { openStore } from "../../../platform/store/index.js";
import { silentLog } from "./scoringApp.js";

// Small name sets so pairs repeat, interference gets a baseline and retention (4 pairs) evicts.
const CONFIG = { retentionPairs: 4 };
const jobType = fc.constantFrom("bert", "gpt", "llama");
const step = fc.record({
  observation: fc.record({
    jobType,
    gpuType: fc.constantFrom("A100", "L4", "H100"),
    runtimeS: fc.double({ min: 0, max: 5_000, noNaN: true }),
    colocatedJobTypes: fc.array(jobType, { maxLength: 2 }),
  }),
  /** Clock moves between observations; 0 makes equal ages, which retention breaks by insertion order. */
  advanceMs: fc.integer({ min: 0, max: 120_000 }),
  /** What happens after this observation: nothing, a crash (no final checkpoint), or a clean restart. */
  then: fc.constantFrom("continue", "continue", "continue", "crash", "restart"),
});

/** Interference rows are a set: a zero slowdown is left out of a snapshot, so rows may come back in another order. */
const canonical = (s: ModelSnapshot) => ({
  ...s,
  interference: [...s.interference].sort((a, b) => (a.jobType + "\0" + a.coJobType < b.jobType + "\0" + b.coJobType ? -1 : 1)),
});

describe("checkpoint + replay", () => {
  it("gives the same model as learning every observation in one uninterrupted process", () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1_000, max: 600_000 }),
        (steps, checkpointEveryObservations, checkpointIntervalMs) => {
          const store = openStore(":memory:", silentLog);
          const clock = new ManualClock(1_700_000_000_000);
          const opts = { config: CONFIG, checkpointEveryObservations, checkpointIntervalMs, timer: false };
          const reference = new ScoringModel(CONFIG);
          try {
            let state = openScoringState(store.db, clock, silentLog, opts);
            for (const { observation, advanceMs, then } of steps) {
              clock.advance(advanceMs);
              reference.observe(observation as Observation, clock.nowMs());
              state.store.observe(observation);
              if (then === "restart") state.close();
              if (then !== "continue") state = openScoringState(store.db, clock, silentLog, opts);
            }
            expect(canonical(state.model.snapshot())).toEqual(canonical(reference.snapshot()));
            // And once more from disk after whatever the last step left.
            expect(canonical(openScoringState(store.db, clock, silentLog, opts).model.snapshot())).toEqual(canonical(reference.snapshot()));
          } finally {
            store.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
