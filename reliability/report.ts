/** The reliability table: one row per counted case, from the fuzzers' tallies. */
import { percentile } from "./client.js";
import { FAILURES as EXTENDER_FAILURES } from "./fuzzExtender.js";
import { FAILURES as WEBHOOK_FAILURES } from "./fuzzWebhook.js";
import type { Tally } from "./tally.js";

export interface Row {
  case: string;
  count: number;
  failures: number;
  figure: string;
  goal: string;
}

function throughput(t: Tally): string {
  const sorted = [...t.latencies].sort((a, b) => a - b);
  const rate = t.elapsedMs > 0 ? (t.sent / t.elapsedMs) * 1000 : 0;
  return `${rate.toFixed(0)} req/s, p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${percentile(sorted, 100).toFixed(0)} ms`;
}

function mix(t: Tally): string {
  return [...t.outcomes.entries()].sort().map(([k, v]) => `${k} ${v}`).join(", ");
}

export function rows(webhook: Tally, extender: Tally, internal: { webhook: number; extender: number }, exited: string | null): Row[] {
  const w = (kind: keyof typeof WEBHOOK_FAILURES, count: number, figure = "") => ({ case: `webhook: ${WEBHOOK_FAILURES[kind]}`, count, failures: webhook.failureCount(WEBHOOK_FAILURES[kind]), figure, goal: "0" });
  const e = (kind: keyof typeof EXTENDER_FAILURES, figure = "") => ({ case: `extender: ${EXTENDER_FAILURES[kind]}`, count: extender.sent, failures: extender.failureCount(EXTENDER_FAILURES[kind]), figure, goal: "0" });
  return [
    { case: "webhook: AdmissionReviews sent (HTTPS)", count: webhook.sent, failures: webhook.failureCount(), figure: throughput(webhook), goal: "0 failures" },
    { case: "webhook: answers", count: webhook.sent, failures: 0, figure: mix(webhook), goal: "-" },
    w("connection", webhook.sent),
    w("status5xx", webhook.sent),
    w("timeout", webhook.sent, `max ${percentile([...webhook.latencies].sort((a, b) => a - b), 100).toFixed(0)} ms`),
    w("malformed", webhook.sent),
    w("internal", webhook.sent, `controller counted ${internal.webhook} result="error"`),
    w("validRefused", webhook.sent),
    w("patchFails", webhook.patched, "count = answers with a patch"),
    w("schema", webhook.patched, "real PyTorchJob/AppWrapper CRDs"),
    w("notNoOp", webhook.patched),
    { case: "extender: ExtenderArgs sent (HTTP)", count: extender.sent, failures: extender.failureCount(), figure: throughput(extender), goal: "0 failures" },
    { case: "extender: answers", count: extender.sent, failures: 0, figure: mix(extender), goal: "-" },
    e("connection"),
    e("status5xx"),
    e("timeout"),
    e("malformed"),
    e("validRefused"),
    { case: "extender: internal errors (every node passed)", count: extender.sent, failures: internal.extender, figure: 'controller counter result="error"', goal: "0" },
    { case: "controller process exits", count: 1, failures: exited === null ? 0 : 1, figure: exited ?? "still running", goal: "0" },
  ];
}

export function formatTable(table: Row[]): string {
  const head = ["case", "count", "failures", "figure", "goal"];
  const cells = table.map((r) => [r.case, String(r.count), String(r.failures), r.figure, r.goal]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => (i === 1 || i === 2 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join(" | ")} |`;
  return [line(head), `|${widths.map((w, i) => (i === 1 || i === 2 ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`, ...cells.map(line)].join("\n");
}
