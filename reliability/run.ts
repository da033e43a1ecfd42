/**
 * `npm run reliability`: fuzzes the running controller (a child process, real composition root) with
 * RELIABILITY_COUNT (default 100,000) AdmissionReviews over HTTPS and as many ExtenderArgs over HTTP,
 * prints the table and exits 1 on any failure. RELIABILITY_SEED picks the inputs (default 20261123);
 * RELIABILITY_CONCURRENCY the clients in flight (default 8). Failing inputs are written to
 * $TMPDIR/steward-reliability-failures-<seed>.json (first three of each kind) for a regression test.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fuzzExtender } from "./fuzzExtender.js";
import { fuzzWebhook } from "./fuzzWebhook.js";
import { formatTable, rows } from "./report.js";
import { internalErrors, startChild } from "./target.js";

const count = Number(process.env.RELIABILITY_COUNT ?? 100_000);
const seed = Number(process.env.RELIABILITY_SEED ?? 20261123);
const concurrency = Number(process.env.RELIABILITY_CONCURRENCY ?? 8);

const target = await startChild();
let code = 0;
try {
  process.stderr.write(`fuzzing ${count} AdmissionReviews (seed ${seed}, ${concurrency} in flight)…\n`);
  const webhook = await fuzzWebhook(target.webhookUrl, { count, seed, concurrency });
  process.stderr.write(`fuzzing ${count} ExtenderArgs…\n`);
  const extender = await fuzzExtender(target.extenderUrl, { count, seed, concurrency });
  const exited = target.exited();
  const internal = exited === null ? await internalErrors(target.metricsUrl) : { webhook: -1, extender: -1 };
  const table = rows(webhook, extender, internal, exited);
  process.stdout.write(`${formatTable(table)}\n`);
  const failures = table.reduce((s, r) => s + (r.goal === "0" ? Math.max(0, r.failures) : 0), 0);
  if (failures > 0) {
    code = 1;
    const file = join(tmpdir(), `steward-reliability-failures-${seed}.json`);
    writeFileSync(file, JSON.stringify({ seed, webhook: webhook.examples, extender: extender.examples }, null, 2));
    process.stdout.write(`${failures} failures; examples in ${file}\n`);
  }
} finally {
  await target.stop();
}
process.exit(code);
