/** The build's version, as package.json says (reported by the agent in its NodeReport and by GET /). */
import { readFileSync } from "node:fs";

function readVersion(): string {
  // Two levels up from platform/ (source) or dist/platform/ (build): package.json is at the root either way.
  for (const rel of ["../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "gpu-steward" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // not there from this layout; try the next
    }
  }
  return "unknown";
}

export const STEWARD_VERSION = readVersion();
