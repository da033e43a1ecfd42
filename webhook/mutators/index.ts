import { appWrapperMutator } from "./appwrapper.js";
import type { Mutator } from "./mutator.js";
import { pytorchJobMutator } from "./pytorchjob.js";

export type { Located, Mutator } from "./mutator.js";
export { resizePyTorchJob, type ResizeOptions } from "./resize.js";

const MUTATORS: readonly Mutator[] = [pytorchJobMutator, appWrapperMutator];

export function mutatorFor(group: string, kind: string): Mutator | undefined {
  return MUTATORS.find((m) => m.matches(group, kind));
}
