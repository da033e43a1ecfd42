import { readLaunch, rewriteLaunch } from "./core/sizing/launcher/index.js";
import { parseScript } from "./core/sizing/launcher/shellScript.js";
import { example } from "./test/core/sizing/launcher/examples.js";
const { container } = example("fms-autoconf-k8s-controller_appwrapper_lora.yaml");
const target = { workers: 3, gpusPerWorker: 4, perDeviceBatch: 2 };
const once = () => { const r = readLaunch(container); if (!r.ok) throw new Error(); return rewriteLaunch(container, r.reading, target); };
for (let i = 0; i < 2000; i++) once();
const ts: number[] = [];
for (let i = 0; i < 2000; i++) { const t = process.hrtime.bigint(); once(); ts.push(Number(process.hrtime.bigint() - t) / 1000); }
ts.sort((a, b) => a - b);
console.log("read+rewrite (cached parse) median µs", ts[1000]!.toFixed(1), "p99", ts[1980]!.toFixed(1));
const script = container.command![2]!;
const ts2: number[] = [];
for (let i = 0; i < 300; i++) { const s = script + `\n# ${i}`; const t = process.hrtime.bigint(); parseScript(s); ts2.push(Number(process.hrtime.bigint() - t) / 1000); }
ts2.sort((a, b) => a - b);
console.log("uncached parse+extract median µs", ts2[150]!.toFixed(1));
const ts3: number[] = [];
for (let i = 0; i < 300; i++) { const c = { ...container, command: ["sh", "-c", script + `\n# ${i}x`] }; const t = process.hrtime.bigint(); const r = readLaunch(c); if (r.ok) rewriteLaunch(c, r.reading, target); ts3.push(Number(process.hrtime.bigint() - t) / 1000); }
ts3.sort((a, b) => a - b);
console.log("read+rewrite (uncached) median µs", ts3[150]!.toFixed(1));
