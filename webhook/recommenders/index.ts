export type { Recommender, RecommenderAnswer, RecommenderName } from "./types.js";
export { AdoRecommender, type AdoRecommenderOptions, type AdoSubmission, type AdoPoll } from "./ado.js";
export {
  ADO_DEFAULT_MODEL_VERSION,
  ADO_GPU_MODELS,
  ADO_MODEL_NAMES,
  AdoProtocolError,
  adoExperimentFor,
  adoPropertiesFor,
  buildAdoRequestBody,
  parseAdoResult,
  parseAdoSubmitResponse,
  toAdoGpuModel,
  type AdoAnswer,
  type AdoEntity,
  type AdoExperiment,
  type AdoParsed,
  type AdoPropertyValues,
} from "./adoProtocol.js";
export { toSizingResult } from "./adoAnswer.js";
export { EmbeddedRecommender, type RecommendGpus } from "./embedded.js";
export { FallbackRecommender, FALLBACK_ON, type FallbackRecommenderOptions } from "./fallback.js";
