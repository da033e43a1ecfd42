import express, { type Router } from "express";
import type { PlacementDecisions } from "./decisions.js";

/**
 * The extender port's JSON API besides /filter and /prioritize: the kept placement decisions, and
 * whatever routers the composition root mounts (the scoring API). Unknown paths get a JSON 404.
 */
export function createExtenderApp(opts: { decisions: PlacementDecisions; routers?: Router[] }): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.get("/v1/decisions/:namespace/:pod", (req, res) => {
    const { namespace, pod } = req.params;
    const decision = opts.decisions.get(namespace, pod);
    if (!decision) {
      res.status(404).json({ code: "DECISION_NOT_FOUND", message: `no placement decision kept for pod ${namespace}/${pod}` });
      return;
    }
    res.json(decision);
  });
  for (const router of opts.routers ?? []) app.use(router);
  app.use((req, res) => {
    res.status(404).json({ code: "NOT_FOUND", message: `${req.method} ${req.path} is not served here` });
  });
  return app;
}
