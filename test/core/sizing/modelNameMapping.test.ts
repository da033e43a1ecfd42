import { describe, it, expect } from "vitest";
import { AUTOCONF_MODEL_NAMES, toAutoconfModelName } from "../../../core/sizing/index.js";

const HF_IDS: Array<[string, string]> = [
  ["ibm-granite/granite-8b-code-base-4k", "granite-8b-code-base"],
  ["ibm-granite/granite-8b-code-base-128k", "granite-8b-code-base"],
  ["ibm-granite/granite-3.0-8b-base", "granite-3-8b"],
  ["ibm-granite/granite-3.1-8b-instruct", "granite-3.1-8b-instruct"],
  ["ibm-granite/granite-3.3-8b-instruct", "granite-3.1-8b-instruct"],
  ["ibm-granite/granite-3.1-2b-base", "granite-3.1-2b"],
  ["ibm-granite/granite-3.1-3b-a800m-instruct", "granite-3.1-3b-a800m-instruct"],
  ["ibm-granite/granite-3b-code-base-128k", "granite-3b-code-base-128k"],
  ["ibm-granite/granite-7b-base", "granite-7b-base"],
  ["ibm-granite/granite-20b-code-base-8k", "granite-20b-v2"],
  ["ibm-granite/granite-34b-code-base-8k", "granite-34b-code-base"],
  ["ibm-granite/granite-4.0-micro", "granite-4.0-micro"],
  ["ibm-granite/granite-4.0-h-micro", "granite-4.0-h-micro"],
  ["ibm-granite/granite-4.0-h-tiny", "granite-4.0-h-tiny"],
  ["ibm-granite/granite-4.0-h-small", "granite-4.0-h-small"],
  ["ibm-granite/granite-4.0-h-1b", "granite-4.0-h-1b"],
  ["ibm-granite/granite-4.0-1b", "granite-4.0-1b"],
  ["ibm-granite/granite-4.0-350m", "granite-4.0-350m"],
  ["meta-llama/Llama-2-7b", "llama-7b"],
  ["meta-llama/Llama-2-7b-hf", "llama-7b"],
  ["meta-llama/Llama-2-13b-hf", "llama-13b"],
  ["meta-llama/Llama-2-70b-hf", "llama2-70b"],
  ["meta-llama/Meta-Llama-3-8B", "llama3-8b"],
  ["meta-llama/Meta-Llama-3-70B-Instruct", "llama3-70b"],
  ["meta-llama/Llama-3.1-8b", "llama3.1-8b"],
  ["meta-llama/Llama-3.1-8B", "llama3.1-8b"],
  ["meta-llama/Meta-Llama-3.1-8B-Instruct", "llama3.1-8b"],
  ["meta-llama/Llama-3.1-70b", "llama3.1-70b"],
  ["meta-llama/Llama-3.1-405B-Instruct", "llama3.1-405b"],
  ["mistralai/Mistral-7B-v0.1", "mistral-7b-v0.1"],
  ["mistralai/Mixtral-8x7B-Instruct-v0.1", "mixtral-8x7b-instruct-v0.1"],
  ["mistralai/Mistral-Large-Instruct-2407", "mistral-123b-v2"],
  ["MISTRALAI/MIXTRAL-8X7B-INSTRUCT-V0.1", "mixtral-8x7b-instruct-v0.1"],
];

/** config_mapper.py patterns and autoconf's own test_config_mapper cases (§1.2). */
const PATTERN_NAMES: Array<[string, string]> = [
  ["granite-2b-base", "granite-3.1-2b"],
  ["granite-3.2-2b-instruct", "granite-3.1-2b"],
  ["granite-3.2-8b-instruct", "granite-3.1-8b-instruct"],
  ["granite-8b", "granite-3.1-8b-instruct"],
  ["granite-4.0-tiny", "granite-4.0-h-tiny"],
  ["granite-4.0-small-base-prerelease-greylock", "granite-4.0-h-small"],
  ["granite-4.0-h-micro-base", "granite-4.0-h-micro"],
  ["llama-3-1-8b-instruct", "llama3.1-8b"],
  ["llama3.1-8b-instruct", "llama3.1-8b"],
];

/** Local paths: the controller's suffix table (done on the path, §2.2 bug) and checkout folders. */
const PATHS: Array<[string, string]> = [
  ["/hf-models-pvc/LLaMa/models/hf/7B", "llama-7b"],
  ["/hf-models-pvc/LLaMa/models/hf/13B/", "llama-13b"],
  ["/hf-models-pvc/LLaMa/models/hf/70B", "llama2-70b"],
  ["/hf-models-pvc/LLaMa/models/hf/llama3.1-8b", "llama3.1-8b"],
  ["/hf-models-pvc/LLaMa/models/hf/llama3.1-405b", "llama3.1-405b"],
  ["/hf-models-pvc/mistral-large/fp16_240620", "mistral-123b-v2"],
  ["/hf-models-pvc/mistralai-mistral-7b-v0.1", "mistral-7b-v0.1"],
  ["/hf-models-pvc/allam-1-13b-instruct-20240607", "allam-1-13b"],
  ["/hf-models-pvc/granite-13b-base-v2/step_300000_ckpt", "granite-13b-v2"],
  ["/hf-models-pvc/granite-20b-code-base-v2/step_280000_ckpt", "granite-20b-v2"],
  ["/models/granite-34b-code-base", "granite-34b-code-base"],
  ["/models/Mixtral-8x7B-Instruct-v0.1", "mixtral-8x7b-instruct-v0.1"],
  ["/data/models/meta-llama/Llama-2-7b-hf/", "llama-7b"],
  ["/data/models/Meta-Llama-3.1-70B-Instruct", "llama3.1-70b"],
  ["/mnt/models/granite-3.1-8b-instruct", "granite-3.1-8b-instruct"],
  ["/output/llama-7b/checkpoint-500", "llama-7b"],
  ["models/ibm-granite/granite-3.1-2b-instruct", "granite-3.1-2b"],
];

const UNKNOWN = [
  "",
  "   ",
  "/",
  "gpt2",
  "Qwen/Qwen2.5-7B",
  "granite-8b-code-instruct-128k-finetuned",
  "granite-5.0-d453da",
  "devstral-small-182a9e3_24b",
  "/hf-models-pvc/LLaMa/models/hf/34B",
  "/models/7B",
  "/output/checkpoint-500",
];

describe("toAutoconfModelName", () => {
  it.each([...AUTOCONF_MODEL_NAMES])("keeps the autoconf name %s", (name) => {
    expect(toAutoconfModelName(name)).toBe(name);
    expect(toAutoconfModelName(name.toUpperCase())).toBe(name);
  });

  it("keeps granite-4.0-micro dense though config_mapper would map it to h-micro", () => {
    expect(toAutoconfModelName("granite-4.0-micro")).toBe("granite-4.0-micro");
  });

  it.each(HF_IDS)("maps the HF id %s to %s", (id, name) => expect(toAutoconfModelName(id)).toBe(name));
  it.each(PATTERN_NAMES)("maps %s by config_mapper's patterns to %s", (raw, name) => expect(toAutoconfModelName(raw)).toBe(name));
  it.each(PATHS)("maps the path %s to %s", (path, name) => expect(toAutoconfModelName(path)).toBe(name));
  it.each(UNKNOWN)("answers undefined for %j", (raw) => expect(toAutoconfModelName(raw)).toBeUndefined());
});
