import express, { type Express } from "express";
import type { Registry } from "prom-client";
import type { Readiness } from "./opsHandler.js";

// Readiness lives with the plain handler (the node agent serves that one, without express).
export { createReadiness, type Readiness, type ReadinessCheck } from "./opsHandler.js";

/**
 * /metrics, /healthz and /readyz. Liveness only says the event loop answers; readiness says the
 * servers listen and their dependencies are loaded, so a rolling update waits for it.
 */
export function createOpsApp(registry: Registry, readiness: Readiness): Express {
  const app = express();
  app.disable("x-powered-by");
  app.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok");
  });
  app.get("/readyz", (_req, res) => {
    const failing = readiness.failing();
    if (failing.length === 0) res.type("text/plain").send("ok");
    else res.status(503).type("text/plain").send(`not ready:\n${failing.join("\n")}\n`);
  });
  app.get("/metrics", async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  app.use((req, res) => {
    res.status(404).json({ code: "NOT_FOUND", message: `no route for ${req.method} ${req.path}` });
  });
  return app;
}
