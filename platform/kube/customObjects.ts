/** CustomObjects over client-node: PyTorchJob, AppWrapper and other CRDs under `/apis/{group}/{version}`. */
import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from "@kubernetes/client-node";
import type { Operation } from "fast-json-patch";
import { isNotFound, KubeApiError, toKubeError } from "./errors.js";
import type { CustomObject, CustomObjects, GroupVersionResource, ListOptions } from "./ports.js";

function isObject(value: unknown): value is CustomObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function listItems(list: unknown, what: string): CustomObject[] {
  const items = isObject(list) ? list["items"] : undefined;
  if (!Array.isArray(items)) throw new KubeApiError(500, "InternalError", `${what}: response has no items array`);
  return items.filter(isObject);
}

export class KubeCustomObjects implements CustomObjects {
  constructor(private readonly api: CustomObjectsApi) {}

  async list(gvr: GroupVersionResource, opts: ListOptions): Promise<CustomObject[]> {
    const what = `LIST ${gvr.plural}.${gvr.group} ${opts.namespace ?? "*"}`;
    const labelSelector = opts.labelSelector === "" ? undefined : opts.labelSelector;
    try {
      const list: unknown =
        opts.namespace === undefined
          ? await this.api.listClusterCustomObject({ ...gvr, labelSelector })
          : await this.api.listNamespacedCustomObject({ ...gvr, namespace: opts.namespace, labelSelector });
      return listItems(list, what);
    } catch (raw) {
      throw toKubeError(raw, what);
    }
  }

  async get(gvr: GroupVersionResource, namespace: string, name: string): Promise<CustomObject | undefined> {
    const what = `GET ${gvr.plural}.${gvr.group} ${namespace}/${name}`;
    try {
      const obj: unknown = await this.api.getNamespacedCustomObject({ ...gvr, namespace, name });
      if (!isObject(obj)) throw new KubeApiError(500, "InternalError", `${what}: response is not an object`);
      return obj;
    } catch (raw) {
      const err = toKubeError(raw, what);
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async jsonPatch(gvr: GroupVersionResource, namespace: string, name: string, ops: Operation[]): Promise<CustomObject> {
    const what = `PATCH ${gvr.plural}.${gvr.group} ${namespace}/${name}`;
    try {
      // The generated client picks a content type itself; set it so the server reads RFC 6902, not a merge patch.
      const patched: unknown = await this.api.patchNamespacedCustomObject(
        { ...gvr, namespace, name, body: ops },
        setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
      );
      if (!isObject(patched)) throw new KubeApiError(500, "InternalError", `${what}: response is not an object`);
      return patched;
    } catch (raw) {
      throw toKubeError(raw, what);
    }
  }
}
