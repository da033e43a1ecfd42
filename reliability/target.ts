/** The controller under test: the real composition root (standalone, self-signed TLS in a temp state dir). */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { loadServeConfig, startServe } from "../cmd/serve.js";

export interface Target {
  webhookUrl: string;
  extenderUrl: string;
  metricsUrl: string;
  /** Null while the server runs; the exit code or signal once it has gone. */
  exited(): string | null;
  stop(): Promise<void>;
}

export interface Ports {
  webhookPort: number;
  extenderPort: number;
  metricsPort: number;
}

function targetOf(ports: Ports, exited: () => string | null, stop: () => Promise<void>): Target {
  return {
    webhookUrl: `https://127.0.0.1:${ports.webhookPort}`,
    extenderUrl: `http://127.0.0.1:${ports.extenderPort}`,
    metricsUrl: `http://127.0.0.1:${ports.metricsPort}/metrics`,
    exited,
    stop,
  };
}

/** Starts the controller in this process (tests: a crash fails the test file anyway). */
export async function startInProcess(stateDir: string): Promise<Target> {
  const config = loadServeConfig({ flags: { "webhook-port": "0", "extender-port": "0", "metrics-port": "0", "state-dir": stateDir, "bind-address": "127.0.0.1", "log-level": "warn" }, env: {} });
  const server = await startServe(config, { log: pino({ level: "silent" }) });
  return targetOf({ webhookPort: server.webhookPort!, extenderPort: server.extenderPort!, metricsPort: server.metricsPort }, () => null, () => server.stop());
}

/** Starts the controller in a child process (reliability/child.ts), so its exit is seen and counted. */
export async function startChild(): Promise<Target> {
  const stateDir = mkdtempSync(join(tmpdir(), "steward-reliability-"));
  const script = fileURLToPath(new URL("./child.ts", import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", script, stateDir], { stdio: ["ignore", "pipe", "inherit"] });
  let exit: string | null = null;
  child.once("exit", (code, signal) => (exit = signal ?? `code ${code}`));
  const ports = await new Promise<Ports>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /PORTS (\d+) (\d+) (\d+)/.exec(out);
      if (m) resolve({ webhookPort: Number(m[1]), extenderPort: Number(m[2]), metricsPort: Number(m[3]) });
    });
    child.once("exit", (code) => reject(new Error(`reliability/child.ts exited with ${code} before serving`)));
  });
  return targetOf(ports, () => exit, async () => {
    if (exit === null) {
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await gone;
    }
    rmSync(stateDir, { recursive: true, force: true });
  });
}

/** Internal errors the controller counted (`result="error"`): answers that hid a bug behind a 200. */
export async function internalErrors(metricsUrl: string): Promise<{ webhook: number; extender: number }> {
  const text = await (await fetch(metricsUrl)).text();
  const sum = (metric: string) =>
    text
      .split("\n")
      .filter((l) => l.startsWith(`${metric}{`) && l.includes('result="error"'))
      .reduce((s, l) => s + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
  return { webhook: sum("gpu_steward_webhook_reviews_total"), extender: sum("gpu_steward_extender_requests_total") };
}
