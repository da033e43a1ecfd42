/** The node agent's plain ops handler answers as the express ops app the other roles serve. */
import { Registry } from "prom-client";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { createOpsApp } from "../../../platform/http/opsApp.js";
import { createOpsHandler, createReadiness } from "../../../platform/http/opsHandler.js";

describe("createOpsHandler", () => {
  const registry = new Registry();
  registry.setDefaultLabels({ app: "t" });
  const readiness = createReadiness();
  let failing: string | undefined = "no complete poll in the last 3 intervals";
  readiness.add("cycle", () => failing);
  const plain = createOpsHandler(registry, readiness);
  const app = createOpsApp(registry, readiness);

  const answer = async (handler: typeof plain | typeof app, method: "get" | "head" | "post", path: string) => {
    const res = await request(handler)[method](path);
    return { status: res.status, type: res.headers["content-type"], body: res.text };
  };

  it.each([
    ["get", "/healthz"],
    ["head", "/healthz"],
    ["get", "/readyz"],
    ["get", "/metrics"],
    ["get", "/healthz?probe=1"],
    ["get", "/nope"],
    ["post", "/healthz"],
  ] as const)("%s %s: the same status, content type and body", async (method, path) => {
    expect(await answer(plain, method, path)).toEqual(await answer(app, method, path));
  });

  it("answers /readyz 503 with the reasons, then 200 once they clear", async () => {
    failing = "no complete poll in the last 3 intervals";
    expect(await answer(plain, "get", "/readyz")).toEqual({ status: 503, type: "text/plain; charset=utf-8", body: "not ready:\ncycle: no complete poll in the last 3 intervals\n" });
    failing = undefined;
    expect(await answer(plain, "get", "/readyz")).toEqual({ status: 200, type: "text/plain; charset=utf-8", body: "ok" });
    expect(await answer(plain, "get", "/nope")).toEqual({ status: 404, type: "application/json; charset=utf-8", body: '{"code":"NOT_FOUND","message":"no route for GET /nope"}' });
  });
});
