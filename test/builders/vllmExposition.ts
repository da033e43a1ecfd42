/**
 * A vLLM server's `/metrics` as text, built from requests it "served": the e2e, TTFT and ITL
 * histograms with vLLM's bucket bounds (spec §6.1), token and request counters and the two gauges.
 * Tests and the agent benchmark feed the agent with it, so it sees the real exposition shape.
 */
const E2E_BOUNDS = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];
const TTFT_BOUNDS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
const ITL_BOUNDS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];

class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length).fill(0);
  }
  observe(v: number): void {
    for (let i = 0; i < this.bounds.length; i++) if (v <= this.bounds[i]!) this.counts[i]! += 1;
    this.sum += v;
    this.count += 1;
  }
  lines(name: string, labels: string): string[] {
    const out = [`# TYPE ${name} histogram`, `${name}_sum{${labels}} ${this.sum}`];
    this.bounds.forEach((b, i) => out.push(`${name}_bucket{${labels},le="${b}"} ${this.counts[i]}`));
    out.push(`${name}_bucket{${labels},le="+Inf"} ${this.count}`, `${name}_count{${labels}} ${this.count}`);
    return out;
  }
}

export class VllmExposition {
  readonly #e2e = new Histogram(E2E_BOUNDS);
  readonly #ttft = new Histogram(TTFT_BOUNDS);
  readonly #itl = new Histogram(ITL_BOUNDS);
  #prompt = 0;
  #generation = 0;
  running = 0;
  waiting = 0;

  constructor(readonly model = "meta-llama/Llama-3.1-8B-Instruct") {}

  /** One finished request. */
  serve(r: { e2eS: number; ttftS?: number; itlS?: number; promptTokens?: number; outputTokens?: number }): void {
    this.#e2e.observe(r.e2eS);
    this.#ttft.observe(r.ttftS ?? r.e2eS / 10);
    const out = r.outputTokens ?? 100;
    for (let i = 0; i < Math.min(out, 5); i++) this.#itl.observe(r.itlS ?? 0.02);
    this.#prompt += r.promptTokens ?? 500;
    this.#generation += out;
  }

  /** `n` requests all taking `e2eS`. */
  serveMany(n: number, e2eS: number): void {
    for (let i = 0; i < n; i++) this.serve({ e2eS });
  }

  text(): string {
    const l = `model_name="${this.model}"`;
    return [
      ...this.#e2e.lines("vllm:e2e_request_latency_seconds", l),
      ...this.#ttft.lines("vllm:time_to_first_token_seconds", l),
      ...this.#itl.lines("vllm:inter_token_latency_seconds", l),
      "# TYPE vllm:prompt_tokens_total counter",
      `vllm:prompt_tokens_total{${l}} ${this.#prompt}`,
      "# TYPE vllm:generation_tokens_total counter",
      `vllm:generation_tokens_total{${l}} ${this.#generation}`,
      "# TYPE vllm:request_success_total counter",
      `vllm:request_success_total{finished_reason="stop",${l}} ${this.#e2e.count}`,
      "# TYPE vllm:num_requests_running gauge",
      `vllm:num_requests_running{${l}} ${this.running}`,
      "# TYPE vllm:num_requests_waiting gauge",
      `vllm:num_requests_waiting{${l}} ${this.waiting}`,
      "",
    ].join("\n");
  }
}
