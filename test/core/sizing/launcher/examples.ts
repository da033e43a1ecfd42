/**
 * Loads the real job examples (test/fixtures/jobs, see test/fixtures/SOURCES.md) for the launcher tests:
 * the primary training container of every PyTorchJob (bare or inside an AppWrapper), with the
 * content of ConfigMaps defined in the same file, mounted where the pod mounts them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { ContainerSpec } from "../../../../core/sizing/launcher/types.js";
import { FIXTURES } from "../../../builders/reviews.js";

export const EXAMPLES_DIR = join(FIXTURES, "jobs");

export interface ExampleContainer {
  file: string;
  container: ContainerSpec;
  files: Map<string, string>;
}

type Doc = Record<string, any>;

function podSpecOf(doc: Doc): Doc | undefined {
  const job = doc.kind === "AppWrapper" ? doc.spec?.components?.[0]?.template : doc;
  if (job?.kind !== "PyTorchJob") return undefined;
  const replicas = job.spec?.pytorchReplicaSpecs ?? {};
  return (replicas.Master ?? replicas.Worker)?.template?.spec;
}

function mountedConfigMaps(pod: Doc, container: Doc, configMaps: Map<string, Record<string, string>>): Map<string, string> {
  const files = new Map<string, string>();
  for (const mount of container.volumeMounts ?? []) {
    const volume = (pod.volumes ?? []).find((v: Doc) => v.name === mount.name);
    const data = volume?.configMap ? configMaps.get(volume.configMap.name) : undefined;
    if (!data) continue;
    const items: Array<{ key: string; path: string }> = volume.configMap.items ?? Object.keys(data).map((key) => ({ key, path: key }));
    for (const item of items) if (data[item.key] !== undefined) files.set(`${mount.mountPath.replace(/\/$/, "")}/${item.path}`, data[item.key]!);
  }
  return files;
}

export function loadExampleContainers(): ExampleContainer[] {
  const out: ExampleContainer[] = [];
  for (const file of readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith(".yaml")).sort()) {
    const docs: Doc[] = parseAllDocuments(readFileSync(join(EXAMPLES_DIR, file), "utf8")).map((d) => d.toJS() as Doc).filter(Boolean);
    const configMaps = new Map<string, Record<string, string>>(docs.filter((d) => d.kind === "ConfigMap").map((d) => [d.metadata.name, d.data ?? {}]));
    for (const doc of docs) {
      const pod = podSpecOf(doc);
      const container = pod?.containers?.[0];
      if (container) out.push({ file, container: container as ContainerSpec, files: mountedConfigMaps(pod!, container, configMaps) });
    }
  }
  return out;
}

export function example(file: string): ExampleContainer {
  const found = loadExampleContainers().find((e) => e.file === file);
  if (!found) throw new Error(`no PyTorchJob container in ${file}`);
  return found;
}
