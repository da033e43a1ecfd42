/**
 * The vLLM PromQL the collector asks, one instant query per quantity for all servers at once (spec §8).
 * Counters go through rate() over the window, never raw cumulative values.
 *
 * Arrival rate: vLLM has no arrival counter. `vllm:request_success_total` counts completions, which
 * trail arrivals whenever the server falls behind (exactly when sizing matters). Requests are
 * conserved, so arrivals over the window = completions + the growth of the requests inside the
 * server (running + waiting). The query adds `delta()` of those two gauges, divided by the window, to
 * the completion rate; where the gauges are not scraped it falls back to completions alone (`or`).
 *
 * Which Deployment a series belongs to: `pod` mode (default) derives it from the pod name the scrape
 * adds (`<deployment>-<replicaset hash>-<pod hash>`) and groups by namespace too; `job` mode groups by
 * the `job` label, as the original does (it needs a scrape config naming jobs after Deployments).
 */
export type SeriesMatch = "pod" | "job";

export const VLLM_QUANTITIES = ["arrivalRpm", "inTokens", "outTokens", "ttftMs", "itlMs"] as const;
export type VllmQuantity = (typeof VLLM_QUANTITIES)[number];

/** Kubernetes' pod-template-hash and pod suffix alphabets are lower-case alphanumerics. */
const POD_OF_DEPLOYMENT = "(.+)-[a-z0-9]+-[a-z0-9]+";

function seconds(window: string): string {
  // `[1m]`-style durations as seconds, for dividing a delta; validated by the config schema.
  const units: Record<string, number> = { s: 1, m: 60, h: 3600 };
  const m = /^(\d+)([smh])$/.exec(window);
  return m ? String(Number(m[1]) * units[m[2]!]!) : "60";
}

export function vllmQueries(window: string, match: SeriesMatch): Record<VllmQuantity, string> {
  const by = match === "pod" ? "namespace, deployment" : "job";
  const sum = (expr: string): string =>
    match === "pod" ? `sum by (${by}) (label_replace(${expr}, "deployment", "$1", "pod", "${POD_OF_DEPLOYMENT}"))` : `sum by (${by}) (${expr})`;
  const rate = (counter: string): string => sum(`rate(${counter}[${window}])`);
  const completions = rate("vllm:request_success_total");
  const inServerGrowth = sum(`delta(vllm:num_requests_running[${window}]) + delta(vllm:num_requests_waiting[${window}])`);
  return {
    arrivalRpm: `60 * ((${completions} + ${inServerGrowth} / ${seconds(window)}) or ${completions})`,
    inTokens: `${rate("vllm:prompt_tokens_total")} / ${completions}`,
    outTokens: `${rate("vllm:generation_tokens_total")} / ${completions}`,
    ttftMs: `1000 * ${rate("vllm:time_to_first_token_seconds_sum")} / ${rate("vllm:time_to_first_token_seconds_count")}`,
    // vLLM 0.11 renamed the inter-token histogram; servers older than that export only the old name.
    itlMs: `1000 * ((${rate("vllm:inter_token_latency_seconds_sum")} / ${rate("vllm:inter_token_latency_seconds_count")}) or (${rate("vllm:time_per_output_token_seconds_sum")} / ${rate("vllm:time_per_output_token_seconds_count")}))`,
  };
}

/** The key a sample belongs to, in the form `seriesKey` gives a Deployment. */
export function sampleKey(labels: Readonly<Record<string, string>>, match: SeriesMatch): string | undefined {
  if (match === "job") return labels["job"];
  const { namespace, deployment } = labels;
  return namespace === undefined || deployment === undefined ? undefined : `${namespace}/${deployment}`;
}

export function seriesKey(namespace: string, name: string, match: SeriesMatch): string {
  return match === "job" ? name : `${namespace}/${name}`;
}
