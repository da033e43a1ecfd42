/**
 * Recommender backed by IBM ADO's autoconf experiments over REST (spec admission-autoconf.md §1.6):
 * POST the job's inputs, then GET the request until it stops answering 404. Every request carries an
 * AbortSignal that fires at the caller's deadline, so nothing outlives it. Never throws: failures become
 * `recommender-unavailable` (ADO's fault or absence), `unknown-model`/`unknown-gpu` (outside autoconf's
 * closed domain, checked before asking), `invalid-inputs`, or `no-fit` (ADO's own "cannot recommend").
 */
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import type { SizingLimits, SizingResult, TuningInputs } from "../../core/sizing/types.js";
import type { Recommender, RecommenderAnswer } from "./types.js";
import {
  ADO_DEFAULT_MODEL_VERSION,
  ADO_MODEL_NAMES,
  AdoProtocolError,
  adoExperimentFor,
  adoPropertiesFor,
  buildAdoRequestBody,
  parseAdoResult,
  parseAdoSubmitResponse,
  toAdoGpuModel,
  type AdoExperiment,
} from "./adoProtocol.js";
import { toSizingResult } from "./adoAnswer.js";

export interface AdoRecommenderOptions {
  /** ADO REST API root, e.g. `http://ado.ado-system:8080` (the part before `/api/latest`). */
  baseUrl: string;
  /** autoconf classifier version (`model_version`); default 3.1.0 as in the Go controller (§2.1). */
  modelVersion?: string;
  /** Wait between GETs while ADO answers 404 (pending); default 200 ms. */
  pollIntervalMs?: number;
  /**
   * Deadline budget for `submit`/`poll` called without one; default 5000 ms. `recommend` always uses
   * the caller's deadline.
   */
  requestTimeoutMs?: number;
  /**
   * Refuse models and GPUs outside autoconf's closed domain (§1.2) before asking, as
   * `unknown-model`/`unknown-gpu`, so a fallback can answer; ADO itself would say `can_recommend=0`,
   * indistinguishable from a real no-fit. Default true; switch off for a classifier with a wider domain.
   */
  closedDomain?: boolean;
  fetch?: typeof fetch;
  clock: Clock;
  log: Logger;
  sleep?: (ms: number) => Promise<void>;
}

type Failure = Extract<SizingResult, { ok: false }>;

/** Outcome of `submit`: the request id to poll with, or why there is none. */
export type AdoSubmission =
  | { ok: true; requestId: string; experiment: AdoExperiment }
  | { ok: false; result: Failure };

/**
 * Outcome of one `poll`. `done` with `recommender-unavailable` may be transient (network, 5xx):
 * an async caller may poll the same id again later.
 */
export type AdoPoll = { status: "pending" } | { status: "done"; result: SizingResult };

/** Internally a poll cut by the deadline is told apart from other failures; callers see it as done. */
type PollOutcome = AdoPoll | { status: "timeout"; result: Failure };

type HttpOutcome =
  | { kind: "response"; status: number; body: string }
  | { kind: "timeout"; elapsedMs: number }
  | { kind: "network"; elapsedMs: number; message: string };

const EXPERIMENTS_PATH = "/api/latest/actuators/custom_experiments/experiments";
/** Enough of an error body to recognise it in a reason without flooding annotations. */
const BODY_SNIPPET_CHARS = 200;

export class AdoRecommender implements Recommender {
  readonly name = "ado" as const;
  private readonly baseUrl: string;
  private readonly modelVersion: string;
  private readonly pollIntervalMs: number;
  private readonly requestTimeoutMs: number;
  private readonly closedDomain: boolean;
  private readonly fetchFn: typeof fetch;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(opts: AdoRecommenderOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.modelVersion = opts.modelVersion ?? ADO_DEFAULT_MODEL_VERSION;
    this.pollIntervalMs = opts.pollIntervalMs ?? 200;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 5000;
    this.closedDomain = opts.closedDomain ?? true;
    this.fetchFn = opts.fetch ?? globalThis.fetch;
    this.clock = opts.clock;
    this.log = opts.log.child({ component: "recommender", recommender: "ado" });
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async recommend(inputs: TuningInputs, limits: SizingLimits, deadlineMs: number): Promise<RecommenderAnswer> {
    let result: SizingResult;
    try {
      result = await this.submitAndWait(inputs, limits, deadlineMs);
    } catch (err) {
      // Nothing above should throw; a bug here must not fail the admission.
      this.log.error({ err }, "ADO recommendation failed unexpectedly");
      result = { ok: false, code: "recommender-unavailable", reason: `ADO autoconf: internal error: ${errorMessage(err)}` };
    }
    return { result, recommender: "ado" };
  }

  /** POSTs the request and returns ADO's request id (or why not), without waiting for the answer. */
  async submit(inputs: TuningInputs, limits: SizingLimits, deadlineMs?: number): Promise<AdoSubmission> {
    try {
      return await this.submitOnce(inputs, limits, deadlineMs ?? this.clock.nowMs() + this.requestTimeoutMs);
    } catch (err) {
      this.log.error({ err }, "ADO submit failed unexpectedly");
      return { ok: false, result: unavailable(`internal error: ${errorMessage(err)}`) };
    }
  }

  /**
   * One GET for a request id from `submit`. Stateless, so an id kept in a label survives restarts:
   * `inputs` and `limits` must be those it was submitted with (they pick the experiment and map the answer).
   */
  async poll(requestId: string, inputs: TuningInputs, limits: SizingLimits, deadlineMs?: number): Promise<AdoPoll> {
    try {
      const polled = await this.pollOnce(requestId, inputs, limits, deadlineMs ?? this.clock.nowMs() + this.requestTimeoutMs);
      return polled.status === "timeout" ? { status: "done", result: polled.result } : polled;
    } catch (err) {
      this.log.error({ err, requestId }, "ADO poll failed unexpectedly");
      return { status: "done", result: unavailable(`internal error: ${errorMessage(err)}`) };
    }
  }

  private async submitAndWait(inputs: TuningInputs, limits: SizingLimits, deadlineMs: number): Promise<SizingResult> {
    const startedMs = this.clock.nowMs();
    const submission = await this.submitOnce(inputs, limits, deadlineMs);
    if (!submission.ok) return submission.result;
    const { requestId, experiment } = submission;
    const stillPending = (): Failure => {
      const path = this.requestPath(experiment, requestId);
      const elapsedMs = this.clock.nowMs() - startedMs;
      this.log.warn({ requestId, path, elapsedMs }, "ADO request still pending at the deadline");
      return unavailable(`GET ${path} still pending (404) after ${elapsedMs} ms; deadline reached`);
    };
    for (let polls = 0; ; polls++) {
      const polled = await this.pollOnce(requestId, inputs, limits, deadlineMs);
      // A poll cut by the deadline after earlier 404s is the same story as a 404 at the deadline:
      // ADO had the request and had not answered. Say that, not "no answer", whichever raced.
      if (polled.status === "timeout") return polls > 0 ? stillPending() : polled.result;
      if (polled.status === "done") return polled.result;
      const remainingMs = deadlineMs - this.clock.nowMs();
      if (remainingMs > 0) await this.sleep(Math.min(this.pollIntervalMs, remainingMs));
      if (this.clock.nowMs() >= deadlineMs) return stillPending();
    }
  }

  private async submitOnce(inputs: TuningInputs, limits: SizingLimits, deadlineMs: number): Promise<AdoSubmission> {
    const experiment = adoExperimentFor(limits);
    const domain = this.checkDomain(inputs);
    if (!domain.ok) return { ok: false, result: domain.failure };
    let body;
    try {
      body = buildAdoRequestBody(experiment, adoPropertiesFor(experiment, inputs, limits, this.modelVersion, domain.gpuModel));
    } catch (err) {
      if (!(err instanceof AdoProtocolError)) throw err;
      return { ok: false, result: { ok: false, code: "invalid-inputs", reason: `ADO autoconf: ${err.message}` } };
    }
    const path = this.requestsPath(experiment);
    const outcome = await this.http(path, deadlineMs, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    if (outcome.kind !== "response") return { ok: false, result: this.transportFailure("POST", path, outcome) };
    if (outcome.status < 200 || outcome.status > 299) {
      return { ok: false, result: this.statusFailure("POST", path, outcome.status, outcome.body) };
    }
    const json = parseJson(outcome.body);
    const parsed = json.ok ? parseAdoSubmitResponse(json.value) : json;
    if (!parsed.ok) return { ok: false, result: this.malformed("POST", path, parsed.error) };
    this.log.debug({ experiment, requestId: parsed.value, path }, "ADO request submitted");
    return { ok: true, requestId: parsed.value, experiment };
  }

  private async pollOnce(
    requestId: string,
    inputs: TuningInputs,
    limits: SizingLimits,
    deadlineMs: number,
  ): Promise<PollOutcome> {
    const experiment = adoExperimentFor(limits);
    const path = this.requestPath(experiment, requestId);
    const outcome = await this.http(path, deadlineMs, { method: "GET", headers: { Accept: "application/json" } });
    if (outcome.kind === "timeout") return { status: "timeout", result: this.transportFailure("GET", path, outcome) };
    if (outcome.kind !== "response") return { status: "done", result: this.transportFailure("GET", path, outcome) };
    if (outcome.status === 404) return { status: "pending" };
    if (outcome.status < 200 || outcome.status > 299) {
      return { status: "done", result: this.statusFailure("GET", path, outcome.status, outcome.body) };
    }
    const json = parseJson(outcome.body);
    const parsed = json.ok ? parseAdoResult(json.value) : json;
    if (!parsed.ok) return { status: "done", result: this.malformed("GET", path, parsed.error) };
    const result = toSizingResult(parsed.value, experiment, inputs, limits, this.modelVersion);
    this.log.info(
      { requestId, experiment, ok: result.ok, code: result.ok ? undefined : result.code },
      "ADO request answered",
    );
    return { status: "done", result };
  }

  private checkDomain(inputs: TuningInputs): { ok: true; gpuModel: string } | { ok: false; failure: Failure } {
    if (!this.closedDomain) return { ok: true, gpuModel: inputs.gpuModel };
    if (!ADO_MODEL_NAMES.has(inputs.modelName)) {
      return {
        ok: false,
        failure: {
          ok: false,
          code: "unknown-model",
          reason: `ADO autoconf: model ${JSON.stringify(inputs.modelName)} is not among the ${ADO_MODEL_NAMES.size} models its classifier knows`,
        },
      };
    }
    const gpuModel = toAdoGpuModel(inputs.gpuModel);
    if (gpuModel === undefined) {
      return {
        ok: false,
        failure: {
          ok: false,
          code: "unknown-gpu",
          reason: `ADO autoconf: GPU ${JSON.stringify(inputs.gpuModel)} is not among the GPUs its classifier knows (L40S, A100-80GB PCIe/SXM4, H100-PCIe)`,
        },
      };
    }
    return { ok: true, gpuModel };
  }

  private requestsPath(experiment: AdoExperiment): string {
    return `${EXPERIMENTS_PATH}/${experiment}/requests`;
  }

  private requestPath(experiment: AdoExperiment, requestId: string): string {
    return `${this.requestsPath(experiment)}/${encodeURIComponent(requestId)}`;
  }

  /** One request whose signal aborts at the deadline; the body is read under the same signal. */
  private async http(path: string, deadlineMs: number, init: RequestInit): Promise<HttpOutcome> {
    const startedMs = this.clock.nowMs();
    const remainingMs = deadlineMs - startedMs;
    if (remainingMs <= 0) return { kind: "timeout", elapsedMs: 0 };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error("deadline reached")), remainingMs);
    try {
      const response = await this.fetchFn(this.baseUrl + path, { ...init, signal: controller.signal });
      const body = await response.text();
      return { kind: "response", status: response.status, body };
    } catch (err) {
      const elapsedMs = this.clock.nowMs() - startedMs;
      if (controller.signal.aborted) return { kind: "timeout", elapsedMs };
      return { kind: "network", elapsedMs, message: networkMessage(err) };
    } finally {
      clearTimeout(timer);
    }
  }

  private transportFailure(method: string, path: string, outcome: Exclude<HttpOutcome, { kind: "response" }>): Failure {
    if (outcome.kind === "timeout") {
      this.log.warn({ method, path, elapsedMs: outcome.elapsedMs }, "ADO request timed out at the deadline");
      return unavailable(`${method} ${path} gave no answer within ${outcome.elapsedMs} ms; deadline reached`);
    }
    this.log.warn({ method, path, elapsedMs: outcome.elapsedMs, err: outcome.message }, "ADO unreachable");
    return unavailable(`${method} ${path} failed after ${outcome.elapsedMs} ms: ${outcome.message}`);
  }

  private statusFailure(method: string, path: string, status: number, body: string): Failure {
    this.log.warn({ method, path, status }, "ADO answered an error status");
    const snippet = body.trim().slice(0, BODY_SNIPPET_CHARS);
    return unavailable(`${method} ${path} answered HTTP ${status}${snippet ? `: ${snippet}` : ""}`);
  }

  private malformed(method: string, path: string, error: string): Failure {
    this.log.warn({ method, path, err: error }, "ADO answered a malformed body");
    return unavailable(`malformed response to ${method} ${path}: ${error}`);
  }
}

function unavailable(what: string): Failure {
  return { ok: false, code: "recommender-unavailable", reason: `ADO autoconf: ${what}` };
}

function parseJson(body: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    return { ok: false, error: `$: not JSON (${JSON.stringify(body.slice(0, 80))})` };
  }
}

/** undici reports `fetch failed` and keeps the useful part (ECONNREFUSED …) in `cause`. */
function networkMessage(err: unknown): string {
  const cause = err instanceof Error ? (err as Error & { cause?: unknown }).cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    const message = cause.message || (typeof code === "string" ? code : "");
    if (message) return message;
  }
  return errorMessage(err);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
