/**
 * Child-process entry for the webhook benchmark: serves one variant on an ephemeral port and
 * prints `PORT <n>` when ready. `steward` runs the real composition root; `bare` is node:https
 * answering a fixed AdmissionReview with the same certificate and TLS floor, the baseline.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import { join } from "node:path";
import { pino } from "pino";
import { loadServeConfig, startServe } from "../cmd/serve.js";

const [variant, stateDir, logLevel = "info"] = process.argv.slice(2);
// Exit cleanly on a signal so --cpu-prof and similar flags can write their output.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(0));
if (!variant || !stateDir) throw new Error("usage: servers.ts steward|bare STATE_DIR [LOG_LEVEL]");

if (variant === "steward") {
  const config = loadServeConfig({ flags: { "webhook-port": "0", "extender-port": "0", "metrics-port": "0", "state-dir": stateDir, "bind-address": "127.0.0.1", "log-level": logLevel }, env: {} });
  // Logs go to /dev/null through pino's async destination, as they would to a container's stdout.
  const server = await startServe(config, { log: pino({ level: logLevel }, pino.destination({ dest: "/dev/null", sync: false })) });
  process.stdout.write(`PORT ${server.webhookPort}\n`);
} else {
  const response = readFileSync(join(stateDir, "fixed-response.json"));
  const server = createServer(
    { cert: readFileSync(join(stateDir, "tls", "tls.crt")), key: readFileSync(join(stateDir, "tls", "tls.key")), minVersion: "TLSv1.2" },
    (req, res) => {
      req.on("data", () => undefined);
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json", "content-length": response.length });
        res.end(response);
      });
    },
  );
  server.keepAliveTimeout = 65_000;
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    process.stdout.write(`PORT ${typeof address === "object" && address ? address.port : 0}\n`);
  });
}
