import type { Container } from "./shapes.js";

/**
 * CPU quantity in millicores ("500m", "2", 2, "1.5"). Undefined for forms a CPU request never
 * uses (binary suffixes) so the caller leaves such a value alone.
 */
export function cpuMillis(q: string | number | undefined): number | undefined {
  if (q === undefined) return undefined;
  if (typeof q === "number") return Number.isFinite(q) ? Math.round(q * 1000) : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)(m?)\s*$/.exec(q);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === "m" ? Math.round(n) : Math.round(n * 1000);
}

/** Whole cores as a number (the CRD allows int-or-string), fractions as millicores. */
export function formatCpu(millis: number): number | string {
  return millis % 1000 === 0 ? millis / 1000 : `${millis}m`;
}

function setQuantity(list: Record<string, string | number>, key: string, value: number): void {
  // Keep the user's spelling: a quantity written as a string stays a string.
  list[key] = typeof list[key] === "string" ? String(value) : value;
}

/** GPUs: requests = limits = gpus (extended resources must not overcommit). */
export function setGpus(container: Container, resource: string, gpus: number): void {
  const resources = (container.resources ??= {});
  const limits = (resources.limits ??= {});
  const requests = (resources.requests ??= {});
  setQuantity(limits, resource, gpus);
  setQuantity(requests, resource, gpus);
}

/**
 * Raises the CPU request to `cpuPerGpu × gpus` when the user asked for less; never lowers it. A
 * CPU limit below the new request is raised with it, since request > limit is rejected.
 */
export function raiseCpu(container: Container, cpuPerGpu: number, gpus: number): void {
  const wantMillis = Math.round(cpuPerGpu * Math.max(1, gpus) * 1000);
  if (wantMillis <= 0) return;
  const resources = (container.resources ??= {});
  const requests = (resources.requests ??= {});
  const current = cpuMillis(requests.cpu);
  if (requests.cpu !== undefined && current === undefined) return;
  if (current !== undefined && current >= wantMillis) return;
  requests.cpu = formatCpu(wantMillis);
  const limit = cpuMillis(resources.limits?.cpu);
  if (resources.limits?.cpu !== undefined && limit !== undefined && limit < wantMillis) resources.limits.cpu = formatCpu(wantMillis);
}

/** Sets env `name` to a literal value, in place when present (keeps order), appended otherwise. */
export function upsertEnv(container: Container, name: string, value: string): void {
  const env = (container.env ??= []);
  const existing = env.find((e) => e.name === name);
  if (existing) {
    existing.value = value;
    delete existing.valueFrom;
  } else {
    env.push({ name, value });
  }
}
