/**
 * Child-process entry for the extender benchmark: serves one variant on an ephemeral port and prints
 * `PORT <n>`. `steward` is the real extender role over a synthetic cluster view of NODES nodes;
 * `bare` is node:http that parses the body and answers with every node name (filter) or every name
 * at score 0 (prioritize): the floor any JSON-over-HTTP extender pays.
 */
import { createServer } from "node:http";
import { pino } from "pino";
import { Registry } from "prom-client";
import { createExtenderRole } from "../cmd/extenderRole.js";
import { ScoringModel } from "../core/scoring/index.js";
import { ExtenderConfig } from "../extender/config.js";
import { systemClock } from "../platform/clock.js";
import { listen } from "../platform/http/listen.js";
import { ClusterView } from "../platform/kube/clusterView.js";
import { populate } from "./syntheticCluster.js";

const [variant, nodesArg] = process.argv.slice(2);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(0));
const nodes = Number(nodesArg ?? 5000);

let server;
if (variant === "steward") {
  const view = new ClusterView();
  const model = new ScoringModel();
  populate(view, model, nodes);
  const role = createExtenderRole({ config: ExtenderConfig.parse({}), view, model, registry: new Registry(), clock: systemClock, log: pino({ level: "warn" }, pino.destination({ dest: "/dev/null", sync: false })) });
  server = role.server;
} else if (variant === "bare") {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const args = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { NodeNames: string[] };
      const body = req.url === "/filter"
        ? JSON.stringify({ Nodes: null, NodeNames: args.NodeNames, FailedNodes: {}, FailedAndUnresolvableNodes: {}, Error: "" })
        : JSON.stringify(args.NodeNames.map((Host) => ({ Host, Score: 0 })));
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
} else {
  throw new Error("usage: extenderServers.ts steward|bare [NODES]");
}
const { port } = await listen(server, 0, "127.0.0.1");
process.stdout.write(`PORT ${port}\n`);
