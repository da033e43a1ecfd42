import type { z } from "zod";

/**
 * The rule the API server applies to a list marked `x-kubernetes-list-type: map` (or `set`): no two
 * items with the same key (422 "Duplicate value"). The zod schemas carry it too, so a report that
 * passes here is not refused there. Use with `.superRefine(uniqueBy("tenant uid", (t) => t.uid))`.
 */
export function uniqueBy<T>(what: string, keyOf: (item: T) => string): (items: T[], ctx: z.RefinementCtx<T[]>) => void {
  return (items, ctx) => {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const key = keyOf(item);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else ctx.addIssue({ code: "custom", path: [i], message: `duplicate ${what} (same as item ${first})` });
    });
  };
}

/** Several key fields joined without ambiguity (NUL cannot occur in any of them). */
export function compositeKey(...parts: ReadonlyArray<string | number>): string {
  return parts.join("\u0000");
}
