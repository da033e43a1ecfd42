/**
 * From `--model_name_or_path` (an HF id or a local path) to an autoconf model name (§1.2, §2.2), and
 * from a GPU product spelling to the label form. Case-insensitive throughout.
 */
import { gpuProductLabel } from "./gpus.js";
import { AUTOCONF_MODEL_NAMES } from "./models.js";

const AUTOCONF_NAMES: ReadonlySet<string> = new Set(AUTOCONF_MODEL_NAMES);

/** Adds `org/repo` ids for each repo name, all mapping to one autoconf name. */
function ids(org: string, repos: string[], name: string): Array<[string, string]> {
  return repos.map((repo) => [`${org}/${repo}`, name]);
}

/**
 * Exact HF ids (the Go controller's table, §2.2, widened to the sibling ids of the same weights:
 * `-hf`, `-chat`, `-Instruct`, `-base` share the architecture and hence the memory model).
 */
const HF_IDS: ReadonlyMap<string, string> = new Map(
  [
    ...ids("meta-llama", ["Llama-2-7b", "Llama-2-7b-hf", "Llama-2-7b-chat", "Llama-2-7b-chat-hf"], "llama-7b"),
    ...ids("meta-llama", ["Llama-2-13b", "Llama-2-13b-hf", "Llama-2-13b-chat", "Llama-2-13b-chat-hf"], "llama-13b"),
    ...ids("meta-llama", ["Llama-2-70b", "Llama-2-70b-hf", "Llama-2-70b-chat", "Llama-2-70b-chat-hf"], "llama2-70b"),
    ...ids("meta-llama", ["Meta-Llama-3-8B", "Meta-Llama-3-8B-Instruct"], "llama3-8b"),
    ...ids("meta-llama", ["Meta-Llama-3-70B", "Meta-Llama-3-70B-Instruct"], "llama3-70b"),
    ...ids("meta-llama", ["Llama-3.1-8B", "Llama-3.1-8B-Instruct", "Meta-Llama-3.1-8B", "Meta-Llama-3.1-8B-Instruct"], "llama3.1-8b"),
    ...ids("meta-llama", ["Llama-3.1-70B", "Llama-3.1-70B-Instruct", "Meta-Llama-3.1-70B", "Meta-Llama-3.1-70B-Instruct"], "llama3.1-70b"),
    ...ids("meta-llama", ["Llama-3.1-405B", "Llama-3.1-405B-Instruct", "Meta-Llama-3.1-405B", "Meta-Llama-3.1-405B-Instruct"], "llama3.1-405b"),
    ...ids("mistralai", ["Mistral-7B-v0.1", "Mistral-7B-Instruct-v0.1"], "mistral-7b-v0.1"),
    ...ids("mistralai", ["Mixtral-8x7B-v0.1", "Mixtral-8x7B-Instruct-v0.1"], "mixtral-8x7b-instruct-v0.1"),
    ...ids("mistralai", ["Mistral-Large-Instruct-2407"], "mistral-123b-v2"),
    ...ids("ibm-granite", ["granite-3.0-8b-base", "granite-3.0-8b-instruct"], "granite-3-8b"),
    ...ids("ibm-granite", ["granite-3.1-8b-base", "granite-3.1-8b-instruct", "granite-3.2-8b-instruct", "granite-3.3-8b-base", "granite-3.3-8b-instruct"], "granite-3.1-8b-instruct"),
    ...ids("ibm-granite", ["granite-3.0-2b-base", "granite-3.0-2b-instruct", "granite-3.1-2b-base", "granite-3.1-2b-instruct", "granite-3.2-2b-instruct", "granite-3.3-2b-base", "granite-3.3-2b-instruct"], "granite-3.1-2b"),
    ...ids("ibm-granite", ["granite-3.0-3b-a800m-base", "granite-3.0-3b-a800m-instruct", "granite-3.1-3b-a800m-base", "granite-3.1-3b-a800m-instruct"], "granite-3.1-3b-a800m-instruct"),
    ...ids("ibm-granite", ["granite-3b-code-base-128k", "granite-3b-code-instruct-128k"], "granite-3b-code-base-128k"),
    ...ids("ibm-granite", ["granite-8b-code-base", "granite-8b-code-base-4k", "granite-8b-code-base-128k", "granite-8b-code-instruct-4k", "granite-8b-code-instruct-128k"], "granite-8b-code-base"),
    ...ids("ibm-granite", ["granite-20b-code-base", "granite-20b-code-base-8k", "granite-20b-code-instruct-8k"], "granite-20b-v2"),
    ...ids("ibm-granite", ["granite-34b-code-base", "granite-34b-code-base-8k", "granite-34b-code-instruct-8k"], "granite-34b-code-base"),
    ...ids("ibm-granite", ["granite-7b-base", "granite-7b-instruct"], "granite-7b-base"),
    ...ids("ibm-granite", ["granite-4.0-350m", "granite-4.0-350m-base"], "granite-4.0-350m"),
    ...ids("ibm-granite", ["granite-4.0-1b", "granite-4.0-1b-base"], "granite-4.0-1b"),
    ...ids("ibm-granite", ["granite-4.0-micro", "granite-4.0-micro-base"], "granite-4.0-micro"),
    ...ids("ibm-granite", ["granite-4.0-h-1b", "granite-4.0-h-1b-base"], "granite-4.0-h-1b"),
    ...ids("ibm-granite", ["granite-4.0-h-micro", "granite-4.0-h-micro-base"], "granite-4.0-h-micro"),
    ...ids("ibm-granite", ["granite-4.0-h-tiny", "granite-4.0-h-tiny-base"], "granite-4.0-h-tiny"),
    ...ids("ibm-granite", ["granite-4.0-h-small", "granite-4.0-h-small-base"], "granite-4.0-h-small"),
    // watsonx ids of the checkpoints that are not on the HF hub.
    ...ids("ibm", ["granite-13b-chat-v2", "granite-13b-instruct-v2"], "granite-13b-v2"),
    ...ids("ibm", ["granite-8b-japanese"], "granite-8b-japanese"),
    ...ids("sdaia", ["allam-1-13b-instruct"], "allam-1-13b"),
  ].map(([id, name]) => [id.toLowerCase(), name] as [string, string]),
);

/** Repo part of every HF id (`llama-2-7b-hf` → `llama-7b`), for paths that end in a checkout folder. */
const REPO_NAMES: ReadonlyMap<string, string> = new Map(
  [...HF_IDS].map(([id, name]) => [id.slice(id.indexOf("/") + 1), name] as [string, string]),
);

/**
 * Local-path suffixes of the Go controller's table (§2.2). The original compared the *mapped name*
 * with the suffix, so it never matched; here the path is compared. Its typo `llama3-1.8b` is fixed.
 */
const PATH_SUFFIXES: ReadonlyArray<readonly [string, string]> = [
  ["/llama/models/hf/7b", "llama-7b"],
  ["/llama/models/hf/13b", "llama-13b"],
  ["/llama/models/hf/70b", "llama2-70b"],
  ["/llama/models/hf/llama3-8b", "llama3-8b"],
  ["/llama/models/hf/llama3.1-8b", "llama3.1-8b"],
  ["/llama/models/hf/llama3.1-70b", "llama3.1-70b"],
  ["/llama/models/hf/llama3.1-405b", "llama3.1-405b"],
  ["/mistral-large/fp16_240620", "mistral-123b-v2"],
  ["/mistralai-mistral-7b-v0.1", "mistral-7b-v0.1"],
  ["/allam-1-13b-instruct-20240607", "allam-1-13b"],
  ["/granite-13b-base-v2/step_300000_ckpt", "granite-13b-v2"],
  ["/granite-20b-code-base-v2/step_280000_ckpt", "granite-20b-v2"],
];

/**
 * config_mapper.py's patterns (§1.2), applied to a bare model name (`re.match`: anchored at the start).
 * The llama pattern also accepts `llama-3-1-8b-…` as autoconf's own test expects.
 */
const NAME_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^granite-(?:3\.[1-3]-)?2b(?:-(?:instruct|base))?(?:-|$)/, "granite-3.1-2b"],
  [/^granite-(?:3\.[1-3]-)?8b(?:-(?:instruct|base))?$/, "granite-3.1-8b-instruct"],
  [/^(?:meta-)?llama-?3[.-]1-8b(?:-.*)?$/, "llama3.1-8b"],
  [/^granite-4\.0(?:-h)?-small(?:-|$)/, "granite-4.0-h-small"],
  [/^granite-4\.0(?:-h)?-tiny(?:-|$)/, "granite-4.0-h-tiny"],
  [/^granite-4\.0(?:-h)?-micro(?:-|$)/, "granite-4.0-h-micro"],
];

/** Trainer output folders (`checkpoint-500`, `step_300000_ckpt`): the model is named one level up. */
const CHECKPOINT_FOLDER = /^(?:checkpoint-\d+|step_\d+(?:_ckpt)?|global_step\d+)$/;

function bareName(name: string): string | undefined {
  if (AUTOCONF_NAMES.has(name)) return name;
  const fromRepo = REPO_NAMES.get(name);
  if (fromRepo !== undefined) return fromRepo;
  for (const [pattern, mapped] of NAME_PATTERNS) if (pattern.test(name)) return mapped;
  return undefined;
}

/**
 * Autoconf model name of an autoconf name, an HF id, a bare repo name or a local path; undefined when
 * none matches. Order: autoconf name → exact HF id → path suffix → last two path segments as an HF
 * id → last segment (above a checkpoint folder) as a name, a repo name or a config_mapper pattern.
 * An exact autoconf name wins over the patterns (`granite-4.0-micro` stays dense, where config_mapper
 * would turn it into `granite-4.0-h-micro`).
 */
export function toAutoconfModelName(nameOrPath: string): string | undefined {
  const path = nameOrPath.trim().toLowerCase().replace(/\/+$/, "");
  if (path === "") return undefined;
  if (AUTOCONF_NAMES.has(path)) return path;
  const exact = HF_IDS.get(path);
  if (exact !== undefined) return exact;
  const slashed = path.startsWith("/") ? path : `/${path}`;
  for (const [suffix, name] of PATH_SUFFIXES) if (slashed.endsWith(suffix)) return name;

  const segments = path.split("/").filter((s) => s !== "");
  const last = segments.at(-1);
  if (last === undefined) return undefined;
  const parent = segments.at(-2);
  if (parent !== undefined) {
    const id = HF_IDS.get(`${parent}/${last}`);
    if (id !== undefined) return id;
  }
  const named = bareName(last);
  if (named !== undefined) return named;
  if (parent !== undefined && CHECKPOINT_FOLDER.test(last)) return toAutoconfModelName(segments.slice(0, -1).join("/"));
  return undefined;
}

/**
 * GPU product in the `nvidia.com/gpu.product` label form: `NVIDIA A100-SXM4-80GB` (nvidia-smi's
 * spelling, which config_mapper rewrites) → `NVIDIA-A100-SXM4-80GB`. Known products get the label's
 * exact case; others just have whitespace runs turned into hyphens.
 */
export function normaliseGpuModel(product: string): string {
  const hyphenated = product.trim().replace(/\s+/g, "-");
  return gpuProductLabel(hyphenated) ?? hyphenated;
}

/** autoconf's closed `gpu_model` domain (§1.2); it spells L40S without the vendor prefix. */
const AUTOCONF_GPU_MODELS: ReadonlyMap<string, string> = new Map([
  ["NVIDIA-A100-SXM4-80GB", "NVIDIA-A100-SXM4-80GB"],
  ["NVIDIA-A100-80GB-PCIe", "NVIDIA-A100-80GB-PCIe"],
  ["NVIDIA-H100-PCIe", "NVIDIA-H100-PCIe"],
  ["NVIDIA-L40S", "L40S"],
]);

/** The autoconf `gpu_model` value for a product, or undefined when autoconf has no data for it. */
export function toAutoconfGpuModel(product: string): string | undefined {
  return AUTOCONF_GPU_MODELS.get(normaliseGpuModel(product));
}
