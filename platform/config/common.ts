import { z } from "zod";
import type { OptionSpec } from "./options.js";

const port = z.number().int().min(0).max(65535);

/** Settings every serving process shares: logging, ports, TLS, state and cluster access. */
export const CommonConfig = z.object({
  log: z
    .object({
      level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    })
    .prefault({}),
  server: z
    .object({
      webhookPort: port.default(9443),
      metricsPort: port.default(8080),
      bindAddress: z.string().min(1).default("0.0.0.0"),
      tlsCert: z.string().min(1).optional(),
      tlsKey: z.string().min(1).optional(),
      /** Extra DNS names for the self-signed certificate made when no --tls-cert is given. */
      tlsDnsNames: z.array(z.string().min(1)).default(["localhost"]),
    })
    .prefault({})
    .refine((s) => (s.tlsCert === undefined) === (s.tlsKey === undefined), {
      message: "--tls-cert and --tls-key must be given together",
      path: ["tlsCert"],
    }),
  stateDir: z.string().min(1).default("./.steward"),
  kube: z
    .object({
      /** Path to a kubeconfig, or "in-cluster". Absent: standalone mode. */
      kubeconfig: z.string().min(1).optional(),
      /** This replica's identity for events and leader election (the pod name in a cluster). */
      identity: z.string().min(1).optional(),
      leaseNamespace: z.string().min(1).default("gpu-steward"),
    })
    .prefault({}),
});
export type CommonConfig = z.infer<typeof CommonConfig>;

export const commonOptions: readonly OptionSpec[] = [
  { flag: "log-level", path: "log.level", kind: "string", help: "fatal|error|warn|info|debug|trace|silent", defaultText: "info" },
  { flag: "webhook-port", path: "server.webhookPort", kind: "integer", help: "HTTPS port for /mutate", defaultText: "9443" },
  { flag: "metrics-port", path: "server.metricsPort", kind: "integer", help: "HTTP port for /metrics, /healthz, /readyz", defaultText: "8080" },
  { flag: "bind-address", path: "server.bindAddress", kind: "string", help: "address the servers listen on", defaultText: "0.0.0.0" },
  { flag: "tls-cert", path: "server.tlsCert", kind: "string", help: "serving certificate (PEM); re-read when it changes. Absent: self-signed in the state dir" },
  { flag: "tls-key", path: "server.tlsKey", kind: "string", help: "private key (PEM) for --tls-cert" },
  { flag: "tls-dns-names", path: "server.tlsDnsNames", kind: "list", help: "DNS names of the self-signed certificate (comma list)", defaultText: "localhost" },
  { flag: "state-dir", path: "stateDir", kind: "string", help: "directory for the SQLite store and generated certificates", defaultText: "./.steward" },
  { flag: "kubeconfig", path: "kube.kubeconfig", kind: "string", help: "kubeconfig path or 'in-cluster'; absent = standalone mode" },
  { flag: "identity", path: "kube.identity", kind: "string", help: "replica identity for events and leader election (default: hostname)" },
  { flag: "lease-namespace", path: "kube.leaseNamespace", kind: "string", help: "namespace of the leader-election Lease", defaultText: "gpu-steward" },
];
