import { describe, expect, it } from "vitest";
import { identityHash32, routesToPool, routingBucket } from "../../../core/spend/index.js";

describe("identityHash32: FNV-1a 32 over UTF-8, then fmix32", () => {
  // Pinned: changing the hash would move running jobs between pools. Cross-checked against an
  // independent implementation (FNV-1a of "a" is 0xe40c292c before the finaliser).
  it.each([
    ["a", 444641715],
    ["foobar", 202221276],
    ["6f1c2a9e-3b1d-4c57-9e2a-0d4f1b2c3d4e", 969142166],
    ["default/train-llama-7b", 2920535425],
    ["é", 2387039943], // two UTF-8 bytes, not one UTF-16 unit
  ])("%s → %i", (identity, hash) => {
    expect(identityHash32(identity)).toBe(hash);
    expect(routingBucket(identity)).toBe((hash / 2 ** 32) * 100);
  });
});

describe("routesToPool", () => {
  it("routes by bucket < percentage", () => {
    // "a" sits at 10.35.
    expect(routesToPool("a", 10.35)).toBe(false);
    expect(routesToPool("a", 10.36)).toBe(true);
  });

  it("routes none at 0 % and all at 100 %", () => {
    for (let n = 0; n < 1000; n++) {
      expect(routesToPool(`pod-${n}`, 0)).toBe(false);
      expect(routesToPool(`pod-${n}`, 100)).toBe(true);
    }
  });

  it("spreads sequential names evenly (the finaliser's job)", () => {
    const deciles = new Array<number>(10).fill(0);
    for (let n = 0; n < 20_000; n++) {
      const decile = Math.floor(routingBucket(`team-a/finetune-${n}`) / 10);
      deciles[decile] = (deciles[decile] ?? 0) + 1;
    }
    for (const count of deciles) expect(Math.abs(count - 2000)).toBeLessThan(200);
  });

  it.each([
    { name: "empty identity", call: () => routesToPool("", 50), field: "identity" },
    { name: "NaN percentage", call: () => routesToPool("a", Number.NaN), field: "routingPct" },
    { name: "percentage over 100", call: () => routesToPool("a", 100.5), field: "routingPct" },
    { name: "negative percentage", call: () => routesToPool("a", -1), field: "routingPct" },
  ])("rejects $name naming $field", ({ call, field }) => {
    expect(call).toThrow(expect.objectContaining({ name: "SpendInputError", field }));
  });
});
