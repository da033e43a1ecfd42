import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { MethodDefinition } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { StewardError } from "../../platform/errors.js";

/**
 * `podresources_v1.proto` beside this module: in the source tree when run with tsx or vitest, and in
 * `dist/nodeagent/podResources/` after `npm run build`, whose copy step puts it there (tsc copies no
 * `.proto`); the image ships `dist/`.
 */
export const POD_RESOURCES_PROTO = fileURLToPath(new URL("./podresources_v1.proto", import.meta.url));

export const LIST_METHOD = "List";

/**
 * Loads the List method's path and (de)serialisers. Field names stay as in the .proto (`pod_resources`,
 * `device_ids`, `ID`); int64 (NUMA ids) become numbers; `defaults` and `arrays` fill absent fields, as
 * proto3 means them, so the decoded answer always has every field.
 */
export function loadListMethod(protoFile = POD_RESOURCES_PROTO): MethodDefinition<object, object> {
  // A build that left the .proto out is our bug, not the node's: fail at start-up, not on each List.
  if (!existsSync(protoFile)) throw new StewardError("INTERNAL", `${protoFile} is missing: the build must copy it beside the compiled client`, protoFile);
  const definition = loadSync(protoFile, { keepCase: true, longs: Number, enums: String, defaults: true, arrays: true });
  const method = (definition["v1.PodResourcesLister"] as Record<string, unknown> | undefined)?.[LIST_METHOD];
  if (!isMethod(method)) throw new StewardError("INTERNAL", `${protoFile} defines no v1.PodResourcesLister/${LIST_METHOD}`, protoFile);
  return method;
}

function isMethod(m: unknown): m is MethodDefinition<object, object> {
  return typeof m === "object" && m !== null && "path" in m && "requestSerialize" in m && "responseDeserialize" in m;
}
