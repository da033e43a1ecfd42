import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { loadServeConfig } from "../../cmd/serve.js";

const run = promisify(execFile);
const BIN = new URL("../../bin/steward.js", import.meta.url).pathname;

async function steward(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("steward CLI", () => {
  it("lists the subcommands with --help", async () => {
    const out = await steward(["--help"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/controller/);
    expect(out.stdout).toMatch(/webhook/);
    expect(out.stdout).toMatch(/certs/);
  });

  it.each([
    ["controller", [/--webhook-port.*9443/, /--extender-port.*8888/], []],
    ["webhook", [/--webhook-port.*9443/], [/--extender-port/]],
    ["extender", [/--extender-port.*8888/, /--weight-topology/], [/--webhook-port/]],
    ["certs", [/--dns/], []],
    ["spend plan", [/--date/, /--baseline/], [/--config/, /STEWARD_/]],
    ["agent", [/--once/, /--host-root/, /--nvidia-smi/, /--poll-interval/, /--state-dir/, /--kubeconfig/, /--metrics-port.*8081/, /--config/], []],
    ["autoscaler", [/--data-path/, /--profile/, /--once/, /--period/, /--config/], []],
  ] as const)("%s --help lists its flags", async (sub, present, absent) => {
    const out = await steward([...sub.split(" "), "--help"]);
    expect(out.code).toBe(0);
    for (const re of present) expect(out.stdout).toMatch(re);
    for (const re of absent) expect(out.stdout).not.toMatch(re);
  });

  it("stops at start with exit 2 naming the field, the value and its source", async () => {
    const out = await steward(["controller", "--webhook-port", "abc"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/server\.webhookPort: .*"abc".*--webhook-port/);
  });

  it("spend plan prints one JSON document; a bad flag exits 2 naming it", async () => {
    const out = await steward(["spend", "plan", "--date", "2025-06-16", "--spend", "1000", "--rate", "100", "--baseline", "50", "--budget", "5000"]);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ routingPct: expect.any(Number), pid: { p: expect.any(Number), i: expect.any(Number), d: expect.any(Number) } });
    const bad = await steward(["spend", "plan", "--date", "2025-13-01", "--spend", "1", "--rate", "1", "--baseline", "50"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--date/);
  });

  it("refuses an unknown flag with exit 2", async () => {
    const out = await steward(["webhook", "--no-such-flag"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/no-such-flag/);
  });

  it("certs --out writes the files and prints only the caBundle on stdout", async () => {
    const dir = mkdtempSync(join(tmpdir(), "steward-certs-"));
    const out = await steward(["certs", "--out", dir, "--dns", "gpu-steward.gpu-steward.svc"]);
    expect(out.code).toBe(0);
    expect(Buffer.from(out.stdout.trim(), "base64").toString()).toMatch(/BEGIN CERTIFICATE/);
  });
});

describe("configuration precedence", () => {
  it("takes defaults < config file < STEWARD_* env < flags", () => {
    const dir = mkdtempSync(join(tmpdir(), "steward-config-"));
    const file = join(dir, "config.yaml");
    writeFileSync(file, "server:\n  webhookPort: 1111\n  metricsPort: 2222\nwebhook:\n  policy: avoid-oom\n  maxGpus: 16\n");
    const config = loadServeConfig({ configFile: file, env: { STEWARD_METRICS_PORT: "3333", STEWARD_MAX_GPUS: "32" }, flags: { "max-gpus": "8" } });
    expect(config.server.webhookPort).toBe(1111);
    expect(config.server.metricsPort).toBe(3333);
    expect(config.webhook.policy).toBe("avoid-oom");
    expect(config.webhook.maxGpus).toBe(8);
    expect(config.stateDir).toBe("./.steward");
    expect(Object.isFrozen(config.webhook)).toBe(true);
  });

  it("reports every invalid field with where it came from", () => {
    expect(() => loadServeConfig({ env: { STEWARD_POLICY: "fewest", STEWARD_METRICS_PORT: "70000" }, flags: {} })).toThrow(
      /webhook\.policy: .*"fewest".*STEWARD_POLICY[\s\S]*server\.metricsPort: .*70000.*STEWARD_METRICS_PORT|server\.metricsPort: .*70000.*STEWARD_METRICS_PORT[\s\S]*webhook\.policy: .*"fewest"/,
    );
  });

  it("requires --ado-url with --recommender ado", () => {
    expect(() => loadServeConfig({ env: {}, flags: { recommender: "ado" } })).toThrow(/webhook\.adoUrl: --ado-url is required with --recommender ado/);
  });
});
