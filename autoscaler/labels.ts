/**
 * The labels that put a Deployment under the inference autoscaler and carry its server description,
 * current allocation and fallback load. Two families: the inferno control loop's `inferno.server.*`
 * (spec §8), kept as the compatible default so existing manifests work unchanged, and gpu-steward's
 * own `gpu-steward.io/*`. A Deployment may carry either or both; ours wins where both set a key, and
 * the allocation labels are written back in every family the Deployment is managed by.
 */
export type LabelFamily = "inferno" | "steward";

export interface ServerLabelKeys {
  managed: string;
  name: string;
  model: string;
  class: string;
  accelerator: string;
  maxBatch: string;
  loadRpm: string;
  loadInTokens: string;
  loadOutTokens: string;
}

export const LABEL_KEYS: Readonly<Record<LabelFamily, ServerLabelKeys>> = {
  inferno: {
    managed: "inferno.server.managed",
    name: "inferno.server.name",
    model: "inferno.server.model",
    class: "inferno.server.class",
    accelerator: "inferno.server.allocation.accelerator",
    maxBatch: "inferno.server.allocation.maxbatchsize",
    loadRpm: "inferno.server.load.rpm",
    loadInTokens: "inferno.server.load.intokens",
    loadOutTokens: "inferno.server.load.outtokens",
  },
  steward: {
    managed: "gpu-steward.io/inference-managed",
    name: "gpu-steward.io/inference-server",
    model: "gpu-steward.io/inference-model",
    class: "gpu-steward.io/service-class",
    accelerator: "gpu-steward.io/accelerator",
    maxBatch: "gpu-steward.io/max-batch-size",
    loadRpm: "gpu-steward.io/load-rpm",
    loadInTokens: "gpu-steward.io/load-in-tokens",
    loadOutTokens: "gpu-steward.io/load-out-tokens",
  },
};

/** gpu-steward-only server settings the inferno labels have no room for. */
export const MIN_REPLICAS_LABEL = "gpu-steward.io/min-replicas";
export const KEEP_ACCELERATOR_LABEL = "gpu-steward.io/keep-accelerator";

export const LABEL_FAMILIES: readonly LabelFamily[] = ["steward", "inferno"];

/** The list selectors, one per family (label selectors cannot OR two keys). */
export function managedSelectors(): string[] {
  return LABEL_FAMILIES.map((f) => `${LABEL_KEYS[f].managed}=true`);
}

export function managedFamilies(labels: Readonly<Record<string, string>>): LabelFamily[] {
  return LABEL_FAMILIES.filter((f) => labels[LABEL_KEYS[f].managed] === "true");
}

/** The value of one server label, ours first; undefined when no family sets it. */
export function serverLabel(labels: Readonly<Record<string, string>>, key: keyof ServerLabelKeys): string | undefined {
  for (const family of LABEL_FAMILIES) {
    const value = labels[LABEL_KEYS[family][key]];
    if (value !== undefined) return value;
  }
  return undefined;
}
