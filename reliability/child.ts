/** Child-process entry for `npm run reliability`: the real controller, standalone; prints `PORTS <webhook> <extender> <metrics>`. */
import { pino } from "pino";
import { loadServeConfig, startServe } from "../cmd/serve.js";

const [stateDir] = process.argv.slice(2);
if (!stateDir) throw new Error("usage: child.ts STATE_DIR");
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(0));
const config = loadServeConfig({ flags: { "webhook-port": "0", "extender-port": "0", "metrics-port": "0", "state-dir": stateDir, "bind-address": "127.0.0.1", "log-level": "warn" }, env: {} });
const server = await startServe(config, { log: pino({ level: "warn" }, pino.destination({ dest: "/dev/null", sync: false })) });
process.stdout.write(`PORTS ${server.webhookPort} ${server.extenderPort} ${server.metricsPort}\n`);
