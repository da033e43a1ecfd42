import type { Recommendation } from "../../core/sizing/types.js";
import type { ObjectMeta, PyTorchJob } from "./shapes.js";

export type Located =
  | {
      ok: true;
      /** Validated copy of the PyTorchJob, for reading. */
      job: PyTorchJob;
      /** Metadata of the admitted object (the AppWrapper for wrapped jobs). */
      metadata: ObjectMeta;
      /**
       * A copy of the admitted object to edit, sharing everything the resize does not write, and
       * the PyTorchJob inside it.
       */
      thaw(): { root: Record<string, unknown>; job: PyTorchJob };
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
