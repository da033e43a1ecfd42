/**
 * Architecture table for every model name autoconf's classifier knows (admission-autoconf.md §1.2),
 * with the hyper-parameters of the published HF `config.json` (§4.9), and the parameter count of §4.2.
 * Pure data; the counts are computed once at module load.
 */

/** How a model names its linear layers: decides which LoRA `target_modules` exist (§4.4). */
export type ModuleNaming = "llama" | "gpt-bigcode" | "mixtral" | "granite-moe";

export interface ModelArchitecture {
  readonly name: string;
  readonly hiddenSize: number;
  readonly layers: number;
  readonly attentionHeads: number;
  readonly kvHeads: number;
  /** Per-head width `d`; `hiddenSize / attentionHeads` unless the config sets `head_dim`. */
  readonly headDim: number;
  /** MLP intermediate width `f` of one expert (of the dense MLP when `experts` is 1). */
  readonly ffnSize: number;
  readonly vocabSize: number;
  readonly tiedEmbeddings: boolean;
  /** Routed experts `E` per layer (1 = dense) and experts per token `top_k`. */
  readonly experts: number;
  readonly expertsPerToken: number;
  /** SwiGLU (3 matrices, `3·h·f`) vs GPTBigCode GELU (2 matrices, `2·h·f`). */
  readonly gatedMlp: boolean;
  /** Rows of a learned absolute position table (GPTBigCode: 8192), 0 for rotary / NoPE. */
  readonly learnedPositions: number;
  readonly moduleNaming: ModuleNaming;
  /** LoRA targets of the ADO sfttrainer benchmark for this model (§1.5). */
  readonly defaultLoraTargets: readonly string[];
  /** True where the architecture is not public or not per-layer transformer (proxy shape, §4.9). */
  readonly approximate: boolean;
  /** Published totals that replace the §4.2 count (hybrid Mamba-2 models the formula cannot count). */
  readonly publishedParams?: { readonly total: number; readonly active: number };
  /** HF repository the shape comes from (or the proxy's). */
  readonly source: string;
}

export interface ParameterCount {
  total: number;
  /** Parameters one token passes through (MoE: top-k experts instead of all E). */
  active: number;
  /** One decoder layer with all its experts: the unit FSDP TRANSFORMER_BASED_WRAP gathers (§4.6). */
  largestLayer: number;
}

/**
 * §4.2: `per_layer = h·(a·d) + 2·h·(kv·d) + (a·d)·h + E·m·h·f + [E>1]·h·E + 2h` with `m` = 3 (SwiGLU) or
 * 2 (GELU); `P = L·per_layer + V·h·(tied ? 1 : 2) + positions·h + h`. MoE active: `E` → `top_k` in
 * the MLP term. Biases are left out (GPTBigCode's add < 0.1 %).
 */
export function parameterCount(arch: ModelArchitecture): ParameterCount {
  const h = arch.hiddenSize;
  const qWidth = arch.attentionHeads * arch.headDim;
  const kvWidth = arch.kvHeads * arch.headDim;
  const attention = h * qWidth + 2 * h * kvWidth + qWidth * h;
  const oneMlp = (arch.gatedMlp ? 3 : 2) * h * arch.ffnSize;
  const router = arch.experts > 1 ? h * arch.experts : 0;
  const norms = 2 * h;
  const layerTotal = attention + arch.experts * oneMlp + router + norms;
  const layerActive = attention + arch.expertsPerToken * oneMlp + router + norms;
  const embeddings = arch.vocabSize * h * (arch.tiedEmbeddings ? 1 : 2) + arch.learnedPositions * h + h;
  if (arch.publishedParams !== undefined) {
    const { total, active } = arch.publishedParams;
    return { total, active, largestLayer: Math.max(layerTotal, (total - embeddings) / arch.layers) };
  }
  return {
    total: arch.layers * layerTotal + embeddings,
    active: arch.layers * layerActive + embeddings,
    largestLayer: layerTotal,
  };
}

type Shape = Omit<ModelArchitecture, "name" | "headDim" | "experts" | "expertsPerToken" | "gatedMlp"
  | "learnedPositions" | "moduleNaming" | "defaultLoraTargets" | "approximate"> & Partial<ModelArchitecture>;

const QV = ["q_proj", "v_proj"] as const;
const QK = ["q_proj", "k_proj"] as const;
const GPT_BIGCODE_TARGETS = ["c_attn", "c_proj"] as const;

function model(name: string, shape: Shape): ModelArchitecture {
  return Object.freeze({
    name,
    headDim: shape.hiddenSize / shape.attentionHeads,
    experts: 1,
    expertsPerToken: 1,
    gatedMlp: true,
    learnedPositions: 0,
    moduleNaming: "llama" as const,
    defaultLoraTargets: QV,
    approximate: false,
    ...shape,
  });
}

const LLAMA2_7B = { hiddenSize: 4096, layers: 32, attentionHeads: 32, kvHeads: 32, ffnSize: 11008, vocabSize: 32000, tiedEmbeddings: false };
const LLAMA2_13B = { hiddenSize: 5120, layers: 40, attentionHeads: 40, kvHeads: 40, ffnSize: 13824, vocabSize: 32000, tiedEmbeddings: false };
const LLAMA3_8B = { hiddenSize: 4096, layers: 32, attentionHeads: 32, kvHeads: 8, ffnSize: 14336, vocabSize: 128256, tiedEmbeddings: false };
const LLAMA3_70B = { hiddenSize: 8192, layers: 80, attentionHeads: 64, kvHeads: 8, ffnSize: 28672, vocabSize: 128256, tiedEmbeddings: false };
const GRANITE3_8B = { hiddenSize: 4096, layers: 40, attentionHeads: 32, kvHeads: 8, ffnSize: 12800, vocabSize: 49155, tiedEmbeddings: true };
const GRANITE_8B_CODE = { hiddenSize: 4096, layers: 36, attentionHeads: 32, kvHeads: 8, ffnSize: 14336, vocabSize: 49152, tiedEmbeddings: true };
/** GPTBigCode (granite-20b/34b-code): multi-query attention, GELU MLP, learned positions, c_attn/c_proj. */
const GPT_BIGCODE = { kvHeads: 1, gatedMlp: false, learnedPositions: 8192, tiedEmbeddings: true, moduleNaming: "gpt-bigcode" as const, defaultLoraTargets: GPT_BIGCODE_TARGETS };
/** Granite 4.0 (ibm-granite/granite-4.0-* model cards): 100352-token tied vocabulary, 40 or 28 layers. */
const GRANITE4 = { vocabSize: 100352, tiedEmbeddings: true, approximate: true };

const TABLE: readonly ModelArchitecture[] = [
  model("llama-7b", { ...LLAMA2_7B, defaultLoraTargets: QK, source: "meta-llama/Llama-2-7b-hf" }),
  model("llama-13b", { ...LLAMA2_13B, defaultLoraTargets: QK, source: "meta-llama/Llama-2-13b-hf" }),
  model("llama2-70b", { hiddenSize: 8192, layers: 80, attentionHeads: 64, kvHeads: 8, ffnSize: 28672, vocabSize: 32000, tiedEmbeddings: false, source: "meta-llama/Llama-2-70b-hf" }),
  model("llama3-8b", { ...LLAMA3_8B, defaultLoraTargets: QK, source: "meta-llama/Meta-Llama-3-8B" }),
  model("llama3.1-8b", { ...LLAMA3_8B, source: "meta-llama/Llama-3.1-8B" }),
  model("llama3-70b", { ...LLAMA3_70B, source: "meta-llama/Meta-Llama-3-70B" }),
  model("llama3.1-70b", { ...LLAMA3_70B, source: "meta-llama/Llama-3.1-70B" }),
  model("llama3.1-405b", { hiddenSize: 16384, layers: 126, attentionHeads: 128, kvHeads: 8, ffnSize: 53248, vocabSize: 128256, tiedEmbeddings: false, source: "meta-llama/Llama-3.1-405B" }),
  model("mistral-7b-v0.1", { hiddenSize: 4096, layers: 32, attentionHeads: 32, kvHeads: 8, ffnSize: 14336, vocabSize: 32000, tiedEmbeddings: false, source: "mistralai/Mistral-7B-v0.1" }),
  model("mixtral-8x7b-instruct-v0.1", { hiddenSize: 4096, layers: 32, attentionHeads: 32, kvHeads: 8, ffnSize: 14336, vocabSize: 32000, tiedEmbeddings: false, experts: 8, expertsPerToken: 2, moduleNaming: "mixtral", source: "mistralai/Mixtral-8x7B-Instruct-v0.1" }),
  model("mistral-123b-v2", { hiddenSize: 12288, layers: 88, attentionHeads: 96, kvHeads: 8, headDim: 128, ffnSize: 28672, vocabSize: 32768, tiedEmbeddings: false, source: "mistralai/Mistral-Large-Instruct-2407" }),
  model("granite-3-8b", { ...GRANITE3_8B, source: "ibm-granite/granite-3.0-8b-base" }),
  model("granite-3.1-8b-instruct", { ...GRANITE3_8B, source: "ibm-granite/granite-3.1-8b-instruct" }),
  model("granite-3.1-2b", { hiddenSize: 2048, layers: 40, attentionHeads: 32, kvHeads: 8, ffnSize: 8192, vocabSize: 49155, tiedEmbeddings: true, source: "ibm-granite/granite-3.1-2b-base" }),
  model("granite-3.1-3b-a800m-instruct", { hiddenSize: 1536, layers: 32, attentionHeads: 24, kvHeads: 8, ffnSize: 512, vocabSize: 49155, tiedEmbeddings: true, experts: 40, expertsPerToken: 8, moduleNaming: "granite-moe", source: "ibm-granite/granite-3.1-3b-a800m-instruct" }),
  model("granite-3b-code-base-128k", { hiddenSize: 2560, layers: 32, attentionHeads: 32, kvHeads: 32, ffnSize: 10240, vocabSize: 49152, tiedEmbeddings: true, source: "ibm-granite/granite-3b-code-base-128k" }),
  model("granite-8b-code-base", { ...GRANITE_8B_CODE, source: "ibm-granite/granite-8b-code-base-4k" }),
  model("granite-7b-base", { ...LLAMA2_7B, source: "ibm-granite/granite-7b-base" }),
  model("granite-20b-v2", { ...GPT_BIGCODE, hiddenSize: 6144, layers: 52, attentionHeads: 48, ffnSize: 24576, vocabSize: 49152, source: "ibm-granite/granite-20b-code-base-8k" }),
  model("granite-34b-code-base", { ...GPT_BIGCODE, hiddenSize: 6144, layers: 88, attentionHeads: 48, ffnSize: 24576, vocabSize: 49152, source: "ibm-granite/granite-34b-code-base-8k" }),
  // Internal checkpoints (§4.9: architecture not public). Proxies of the right family and size.
  model("granite-13b-v2", { ...GPT_BIGCODE, hiddenSize: 5632, layers: 40, attentionHeads: 44, ffnSize: 22528, vocabSize: 50304, approximate: true, source: "proxy: GPTBigCode ≈13 B" }),
  model("granite-8b-japanese", { ...GRANITE_8B_CODE, approximate: true, source: "proxy: ibm-granite/granite-8b-code-base-4k" }),
  model("allam-1-13b", { ...LLAMA2_13B, approximate: true, source: "proxy: meta-llama/Llama-2-13b-hf (ALLaM is Llama-style)" }),
  // Granite 4.0: dense models counted from their card's shape; hybrid Mamba-2 (h-*) use published totals.
  model("granite-4.0-350m", { ...GRANITE4, hiddenSize: 1024, layers: 28, attentionHeads: 16, kvHeads: 4, ffnSize: 2048, source: "ibm-granite/granite-4.0-350m" }),
  model("granite-4.0-1b", { ...GRANITE4, hiddenSize: 2048, layers: 40, attentionHeads: 16, kvHeads: 4, ffnSize: 4096, source: "ibm-granite/granite-4.0-1b" }),
  model("granite-4.0-micro", { ...GRANITE4, hiddenSize: 2560, layers: 40, attentionHeads: 40, kvHeads: 8, ffnSize: 8192, source: "ibm-granite/granite-4.0-micro" }),
  model("granite-4.0-h-1b", { ...GRANITE4, hiddenSize: 1536, layers: 40, attentionHeads: 12, kvHeads: 4, headDim: 128, ffnSize: 4096, publishedParams: { total: 1.5e9, active: 1.5e9 }, source: "ibm-granite/granite-4.0-h-1b (hybrid)" }),
  model("granite-4.0-h-micro", { ...GRANITE4, hiddenSize: 2048, layers: 40, attentionHeads: 32, kvHeads: 8, ffnSize: 8192, publishedParams: { total: 3e9, active: 3e9 }, source: "ibm-granite/granite-4.0-h-micro (hybrid)" }),
  model("granite-4.0-h-tiny", { ...GRANITE4, hiddenSize: 1536, layers: 40, attentionHeads: 12, kvHeads: 4, headDim: 128, ffnSize: 512, experts: 64, expertsPerToken: 6, moduleNaming: "granite-moe", publishedParams: { total: 7e9, active: 1e9 }, source: "ibm-granite/granite-4.0-h-tiny (hybrid MoE)" }),
  model("granite-4.0-h-small", { ...GRANITE4, hiddenSize: 4096, layers: 40, attentionHeads: 32, kvHeads: 8, headDim: 128, ffnSize: 768, experts: 72, expertsPerToken: 10, moduleNaming: "granite-moe", publishedParams: { total: 32e9, active: 9e9 }, source: "ibm-granite/granite-4.0-h-small (hybrid MoE)" }),
];

const BY_NAME: ReadonlyMap<string, { arch: ModelArchitecture; params: ParameterCount }> = new Map(
  TABLE.map((arch) => [arch.name, { arch, params: Object.freeze(parameterCount(arch)) }]),
);

/** The 30 autoconf model names, in table order. */
export const AUTOCONF_MODEL_NAMES: readonly string[] = Object.freeze(TABLE.map((a) => a.name));

/** Architecture of an autoconf model name (case-insensitive); undefined for any other string. */
export function modelArchitecture(name: string): ModelArchitecture | undefined {
  return BY_NAME.get(name.toLowerCase())?.arch;
}

/** Parameter count of an autoconf model name, computed once at load. */
export function modelParameters(name: string): ParameterCount | undefined {
  return BY_NAME.get(name.toLowerCase())?.params;
}
