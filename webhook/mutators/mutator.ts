import type { Recommendation } from "../../core/sizing/types.js";
import type { ObjectMeta, PyTorchJob } from "./shapes.js";

export type Located =
  | {
      ok: true;
      /** Validated copy of the PyTorchJob, for reading. */
      job: PyTorchJob;
      /** Metadata of the admitted object (the AppWrapper for wrapped jobs). */
      metadata: ObjectMeta;
      /** The same PyTorchJob inside another copy of the admitted object, for editing. */
      select(root: Record<string, unknown>): PyTorchJob;
    }
  | { ok: false; reason: string };

/** One per admitted kind: where its PyTorchJob is and what else must follow a resize. */
export interface Mutator {
  readonly kind: "PyTorchJob" | "AppWrapper";
  matches(group: string, kind: string): boolean;
  locate(object: unknown): Located;
  /** Keeps the wrapper consistent with the resized job (AppWrapper podSets). */
  afterResize?(root: Record<string, unknown>, rec: Recommendation): void;
}
