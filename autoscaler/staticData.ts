/**
 * The optimizer's static documents read from `--data-path` (a directory of `*-data.json` files, as
 * `--once` and the original's `INFERNO_DATA_PATH` hold them): accelerators, models, service classes,
 * optimizer options, and the capacity file when capacity does not come from the nodes. Read at start
 * and, with `--dynamic`, again every cycle; the capacity file is re-read every cycle, as the original.
 */
import { join } from "node:path";
import { decodeSystemDocuments, type InferenceDocumentName, type SystemSpec } from "../core/inference/index.js";
import { StewardError } from "../platform/errors.js";
import type { ConfigMaps } from "../platform/kube/ports.js";
import type { CapacityDocument } from "./capacity.js";
import type { ServerDocument } from "./serverDocument.js";

export type ReadTextFile = (path: string) => Promise<string>;

export const STATIC_DOCUMENTS = ["accelerator-data.json", "model-data.json", "serviceclass-data.json", "optimizer-data.json"] as const satisfies readonly InferenceDocumentName[];
export const CAPACITY_DOCUMENT: InferenceDocumentName = "capacity-data.json";

/** Raw texts by file name: decoded together with the servers so errors name the file and field. */
export type StaticTexts = Readonly<Partial<Record<InferenceDocumentName, string>>>;

export async function readDocuments(dataPath: string, readFile: ReadTextFile, names: readonly InferenceDocumentName[]): Promise<StaticTexts> {
  const texts: Partial<Record<InferenceDocumentName, string>> = {};
  for (const name of names) {
    const path = join(dataPath, name);
    try {
      texts[name] = await readFile(path);
    } catch (err) {
      const reason = (err as { code?: string }).code === "ENOENT" ? "no such file" : (err as Error).message;
      throw new StewardError("AUTOSCALER_CYCLE", `${path}: ${reason}`, "data-path");
    }
  }
  return texts;
}

/** Where the static documents live: a directory of files, or the keys of one ConfigMap. */
export interface StaticDocuments {
  /** `--data-path /data` or `configmap infer/inferno-static-data`, for messages. */
  readonly where: string;
  read(names: readonly InferenceDocumentName[]): Promise<StaticTexts>;
}

export function fileDocuments(dataPath: string, readFile: ReadTextFile): StaticDocuments {
  return { where: dataPath, read: (names) => readDocuments(dataPath, readFile, names) };
}

/**
 * The documents as keys of one ConfigMap (`accelerator-data.json: |` …), read through the API each
 * time: with `--dynamic` an edit of the ConfigMap takes effect at the next cycle, without the kubelet's
 * delay in refreshing a mounted copy.
 */
export function configMapDocuments(configMaps: Pick<ConfigMaps, "get">, namespace: string, name: string): StaticDocuments {
  const where = `configmap ${namespace}/${name}`;
  return {
    where,
    async read(names) {
      let data: Record<string, string> | undefined;
      try {
        data = await configMaps.get(namespace, name);
      } catch (err) {
        throw new StewardError("AUTOSCALER_CYCLE", `${where}: ${(err as Error).message}`, "data-configmap");
      }
      if (data === undefined) throw new StewardError("AUTOSCALER_CYCLE", `${where}: not found`, "data-configmap");
      const texts: Partial<Record<InferenceDocumentName, string>> = {};
      for (const key of names) {
        const text = data[key];
        if (text === undefined) throw new StewardError("AUTOSCALER_CYCLE", `${where}: no key ${key}`, "data-configmap");
        texts[key] = text;
      }
      return texts;
    },
  };
}

/** The accelerator types named in accelerator-data.json (for mapping nodes to types); [] when unreadable. */
export function acceleratorTypes(texts: StaticTexts): string[] {
  try {
    const doc = JSON.parse(texts["accelerator-data.json"] ?? "{}") as { accelerators?: Array<Record<string, unknown>> };
    const types = (doc.accelerators ?? []).map((a) => Object.entries(a).find(([k]) => k.toLowerCase() === "type")?.[1]);
    return [...new Set(types.filter((t): t is string => typeof t === "string" && t !== ""))];
  } catch {
    // The decoder reports the broken file with its field when the system is built; no types meanwhile.
    return [];
  }
}

/** Static texts + collected servers + capacity → the system one optimisation solves. */
export function buildSystem(texts: StaticTexts, servers: readonly ServerDocument[], capacity: CapacityDocument | undefined): SystemSpec {
  const decoded = decodeSystemDocuments({
    ...texts,
    "server-data.json": JSON.stringify({ servers }),
    ...(capacity !== undefined && { "capacity-data.json": JSON.stringify(capacity) }),
  });
  if (!decoded.ok) throw new StewardError("AUTOSCALER_CYCLE", decoded.error.message, decoded.error.field === "" ? decoded.error.file : `${decoded.error.file}: ${decoded.error.field}`);
  return decoded.system;
}
