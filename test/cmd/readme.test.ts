import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { agentOptions } from "../../cmd/agent.js";
import { serveOptions } from "../../cmd/serve.js";
import { envName } from "../../platform/config/options.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

describe("README configuration reference", () => {
  it.each(serveOptions.map((o) => [o.flag, o]))("documents --%s with its variable and path", (_flag, o) => {
    expect(readme).toContain(`| \`--${o.flag}\` | \`${envName(o.flag)}\` | \`${o.path}\` |`);
  });
  it.each(agentOptions.map((o) => [o.flag, o]))("documents steward agent --%s with its variable and path", (_flag, o) => {
    expect(readme).toContain(`| \`--${o.flag}\` | \`${envName(o.flag)}\` | \`${o.path}\` |`);
  });
  it("keeps the two quick-start commands", () => {
    expect(readme).toContain("npm ci && npm start");
    expect(readme).toContain("npm test");
  });
});
