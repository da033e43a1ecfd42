import { execSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isStewardError } from "../../../platform/errors.js";
import { loadListMethod, POD_RESOURCES_PROTO } from "../../../nodeagent/podResources/protoFile.js";

const root = new URL("../../../", import.meta.url);
const buildScript = (JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { scripts: Record<string, string> }).scripts.build!;

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe("podresources_v1.proto ships with the compiled client", () => {
  it("sits beside the client module and defines v1.PodResourcesLister/List", () => {
    expect(path.basename(POD_RESOURCES_PROTO)).toBe("podresources_v1.proto");
    expect(path.dirname(POD_RESOURCES_PROTO)).toBe(path.join(new URL(root).pathname, "nodeagent/podResources"));
    expect(loadListMethod().path).toBe("/v1.PodResourcesLister/List");
  });

  it("the build's copy step puts every nodeagent .proto beside the compiled JS, and nothing else", () => {
    const [compile, ...copy] = buildScript.split(" && ");
    expect(compile).toBe("tsc -p tsconfig.build.json");
    dir = mkdtempSync(path.join(tmpdir(), "build-"));
    mkdirSync(path.join(dir, "nodeagent/podResources"), { recursive: true });
    copyFileSync(POD_RESOURCES_PROTO, path.join(dir, "nodeagent/podResources/podresources_v1.proto"));
    writeFileSync(path.join(dir, "nodeagent/podResources/client.ts"), "export {};\n");
    writeFileSync(path.join(dir, "nodeagent/podResources/README.md"), "# x\n");
    mkdirSync(path.join(dir, "dist/nodeagent/podResources"), { recursive: true });
    writeFileSync(path.join(dir, "dist/nodeagent/podResources/client.js"), "export {};\n");
    execSync(copy.join(" && "), { cwd: dir, stdio: "pipe" });
    const out = path.join(dir, "dist/nodeagent/podResources");
    expect(readFileSync(path.join(out, "podresources_v1.proto"), "utf8")).toBe(readFileSync(POD_RESOURCES_PROTO, "utf8"));
    expect([existsSync(path.join(out, "client.ts")), existsSync(path.join(out, "README.md")), existsSync(path.join(out, "client.js"))]).toEqual([false, false, true]);
  });

  it("a build without the .proto fails at start-up as our bug (INTERNAL), naming the file", () => {
    const missing = path.join(tmpdir(), "no-such-dir", "podresources_v1.proto");
    expect(() => loadListMethod(missing)).toThrow(`${missing} is missing: the build must copy it beside the compiled client`);
    try {
      loadListMethod(missing);
    } catch (err) {
      expect(isStewardError(err, "INTERNAL")).toBe(true);
    }
  });
});
