import { posix } from "node:path";
import { trainingContainer } from "./jobInputs.js";
import type { PyTorchJob } from "./mutators/shapes.js";

/** Narrow read port over ConfigMaps (platform/kube provides the real and in-memory adapters). */
export interface ConfigMapSource {
  get(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

const CONFIG_PATH_ENV = "SFT_TRAINER_CONFIG_JSON_PATH";

interface ConfigMapVolume {
  name: string;
  configMap?: { name?: string; items?: Array<{ key: string; path: string }> };
}

/**
 * fms-hf-tuning can read its settings from a JSON file, usually a mounted ConfigMap. At admission
 * the pod does not exist, so the file is found through the volume mount and read from the API.
 */
export async function mountedConfigFiles(job: PyTorchJob, namespace: string | undefined, source: ConfigMapSource | undefined): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  if (!source || !namespace) return files;
  const replica = job.spec.pytorchReplicaSpecs.Master ?? job.spec.pytorchReplicaSpecs.Worker;
  if (!replica) return files;
  const { container } = trainingContainer(replica.template.spec);
  const path = container.env?.find((e) => e.name === CONFIG_PATH_ENV)?.value;
  if (!path) return files;
  const mount = container.volumeMounts?.find((m) => path === m.mountPath || path.startsWith(m.mountPath.endsWith("/") ? m.mountPath : `${m.mountPath}/`));
  if (!mount) return files;
  const volume = (replica.template.spec.volumes as ConfigMapVolume[] | undefined)?.find((v) => v.name === mount.name);
  const cmName = volume?.configMap?.name;
  if (!cmName) return files;
  const relative = mount.subPath ?? posix.relative(mount.mountPath, path);
  const key = volume!.configMap!.items?.find((i) => i.path === relative)?.key ?? relative;
  const data = await source.get(namespace, cmName);
  const content = data?.[key];
  if (content !== undefined) files.set(path, content);
  return files;
}
