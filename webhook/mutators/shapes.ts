import { z } from "zod";

/**
 * The parts of PyTorchJob (kubeflow.org/v1) and AppWrapper (workload.codeflare.dev/v1beta2) that
 * the webhook reads. Parsed copies are only read, never written back: edits go to a clone of the raw
 * object and the patch is a diff of that, so unknown fields are stripped here (copying them would
 * cost more than the whole mutation) yet always survive in the job. Errors name the path inside the
 * object, which ends up in the warning the user sees.
 */
const Quantity = z.union([z.string(), z.number()]);
const ResourceList = z.record(z.string(), Quantity);

export const EnvVar = z.object({ name: z.string(), value: z.string().optional(), valueFrom: z.unknown().optional() });

export const Container = z
  .object({
    name: z.string(),
    command: z.array(z.string()).optional(),
    args: z.array(z.string()).optional(),
    env: z.array(EnvVar).optional(),
    resources: z.object({ requests: ResourceList.optional(), limits: ResourceList.optional() }).optional(),
    volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string(), subPath: z.string().optional() })).optional(),
  })
  ;
export type Container = z.infer<typeof Container>;

const NodeSelectorRequirement = z.object({ key: z.string(), operator: z.string(), values: z.array(z.string()).optional() });

export const PodSpec = z
  .object({
    containers: z.array(Container).min(1, "must hold at least one container"),
    nodeSelector: z.record(z.string(), z.string()).optional(),
    affinity: z
      .object({
        nodeAffinity: z
          .object({
            requiredDuringSchedulingIgnoredDuringExecution: z
              .object({ nodeSelectorTerms: z.array(z.object({ matchExpressions: z.array(NodeSelectorRequirement).optional() })) })
              
              .optional(),
          })
          
          .optional(),
      })
      
      .optional(),
    volumes: z
      .array(
        z.object({
          name: z.string(),
          configMap: z.object({ name: z.string().optional(), items: z.array(z.object({ key: z.string(), path: z.string() })).optional() }).optional(),
        }),
      )
      .optional(),
  })
  ;
export type PodSpec = z.infer<typeof PodSpec>;

export const ReplicaSpec = z
  .object({
    replicas: z.number().int().min(0).optional(),
    template: z.object({ metadata: z.unknown().optional(), spec: PodSpec }),
  })
  ;
export type ReplicaSpec = z.infer<typeof ReplicaSpec>;

const Metadata = z
  .object({
    name: z.string().optional(),
    generateName: z.string().optional(),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  ;

export const PyTorchJob = z
  .object({
    apiVersion: z.string().optional(),
    kind: z.string().optional(),
    metadata: Metadata.optional(),
    spec: z
      .object({
        pytorchReplicaSpecs: z.strictObject(
          { Master: ReplicaSpec.optional(), Worker: ReplicaSpec.optional() },
          { error: "only Master and Worker replica specs are valid" },
        ),
        nprocPerNode: z.string().optional(),
        elasticPolicy: z.unknown().optional(),
      })
      ,
  })
  ;
export type PyTorchJob = z.infer<typeof PyTorchJob>;

export const PodSetDeclaration = z.object({ replicas: z.number().int().optional(), path: z.string() });

export const AppWrapper = z
  .object({
    metadata: Metadata.optional(),
    spec: z
      .object({
        components: z.array(z.object({ template: z.unknown(), podSets: z.array(PodSetDeclaration).optional() })),
      })
      ,
  })
  ;
export type AppWrapper = z.infer<typeof AppWrapper>;

export type ObjectMeta = z.infer<typeof Metadata>;

/** `spec.pytorchReplicaSpecs.Master.replicas: expected number` from a zod error. */
export function describeIssue(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0]!;
  const path = [prefix, ...issue.path.map(String)].filter((p) => p !== "").join(".");
  return `${path}: ${issue.message}`;
}
