import { mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";
import { ensureSelfSigned } from "../certs/index.js";
import { systemClock, type Clock } from "../platform/clock.js";
import { CommonConfig } from "../platform/config/common.js";
import { loadConfig, type ConfigSources } from "../platform/config/load.js";
import { StewardError } from "../platform/errors.js";
import { listen } from "../platform/http/listen.js";
import { createOpsApp, createReadiness } from "../platform/http/opsApp.js";
import { createPlainServer } from "../platform/http/plainServer.js";
import { createTlsServer } from "../platform/http/tlsServer.js";
import { kubeAdapters, loadKubeConfig } from "../platform/kube/client.js";
import type { KubePorts } from "../platform/kube/ports.js";
import { createLogger, type Logger } from "../platform/log.js";
import { createRegistry } from "../platform/metrics.js";
import { LeaderElector } from "../platform/kube/leader.js";
import { AdmissionDecisions, openStore, PendingRightsizing, type Store } from "../platform/store/index.js";
import { ExtenderConfig } from "../extender/config.js";
import { createScoringApi, openScoringState, ScoringMetrics } from "../extender/scoring/index.js";
import { Learner, LearnerMetrics, LearnerRuns } from "../extender/learner/index.js";
import { createSpendLoop, createSpendStatusApi, SqliteSpendStates, UsageLedger } from "../extender/spend/index.js";
import { SharedState, SharedStateMetrics } from "../extender/sharedState/index.js";
import { ClusterView } from "../platform/kube/clusterView.js";
import { ClusterViewSyncMetrics } from "../platform/kube/clusterViewMetrics.js";
import { startClusterViewSync } from "../platform/kube/clusterViewSync.js";
import { createExtenderRole, type ExtenderRole } from "./extenderRole.js";
import { WebhookConfig } from "../webhook/config.js";
import { AdmissionAudit } from "../webhook/audit.js";
import { DecisionMemo } from "../webhook/decisionMemo.js";
import { learnedGpuTypeChooser } from "../webhook/gpuTypeChoice.js";
import { createMutateHandler } from "../webhook/handler.js";
import { WebhookMetrics } from "../webhook/metrics.js";
import { AdoRecommender, EmbeddedRecommender, FallbackRecommender, type Recommender } from "../webhook/recommenders/index.js";
import { RightsizingGateLoop } from "../webhook/gateLoop.js";
import { GateLoopMetrics } from "../webhook/gateMetrics.js";
import { routeMutate } from "../webhook/router.js";
import type { Registry } from "prom-client";

/** `steward controller` runs every role; `steward webhook` only admission, `steward extender` only placement. */
export const ServeConfig = CommonConfig.extend({ webhook: WebhookConfig.prefault({}), extender: ExtenderConfig });
export type ServeConfig = z.infer<typeof ServeConfig>;
export { extenderRoleOptions, serveOptions, webhookRoleOptions } from "./serveOptions.js";
import { serveOptions } from "./serveOptions.js";

export interface ServeRoles {
  webhook: boolean;
  extender: boolean;
}
export const ALL_ROLES: ServeRoles = { webhook: true, extender: true };

export interface RunningServer {
  /** Undefined when the webhook role is off. */
  webhookPort?: number;
  /** Undefined when the extender role is off. */
  extenderPort?: number;
  metricsPort: number;
  caBundle?: string;
  log: Logger;
  /** Graceful stop: readiness off, servers closed, store closed. */
  stop(): Promise<void>;
}

export interface ServeDeps {
  clock?: Clock;
  /** Replaces the cluster adapters (tests); absent: built from --kubeconfig, or standalone. */
  kube?: KubePorts;
  log?: Logger;
}

export function loadServeConfig(sources: ConfigSources): ServeConfig {
  return loadConfig(ServeConfig, serveOptions, sources);
}

interface Recommenders {
  /** What /mutate asks: the embedded model, or ADO with the embedded model as fallback. */
  admission: Recommender;
  embedded: EmbeddedRecommender;
  ado?: AdoRecommender;
}

function buildRecommenders(config: WebhookConfig, clock: Clock, log: Logger): Recommenders {
  const embedded = new EmbeddedRecommender();
  if (config.recommender === "embedded") return { admission: embedded, embedded };
  const ado = new AdoRecommender({ baseUrl: config.adoUrl!, modelVersion: config.adoModelVersion, clock, log: log.child({ component: "ado" }) });
  return { admission: new FallbackRecommender({ primary: ado, fallback: embedded, log }), embedded, ado };
}

/**
 * Kueue-queued PyTorchJobs sized asynchronously (--ado-async-gate): the webhook adds an admission
 * gate and the Lease holder's loop asks ADO, patches the job and removes the gate. Cluster mode only.
 */
function gateLoop(opts: { config: ServeConfig; kube: KubePorts; store: Store; recommenders: Recommenders; registry: Registry; clock: Clock; log: Logger }): LeaderLoop {
  const { config, kube, clock, log } = opts;
  const loop = new RightsizingGateLoop({
    customObjects: kube.customObjects,
    events: kube.events,
    configMaps: kube.configMaps,
    store: new PendingRightsizing(opts.store.db),
    ado: opts.recommenders.ado!,
    fallback: opts.recommenders.embedded,
    config: config.webhook,
    clock,
    log: log.child({ component: "gate-loop" }),
    metrics: new GateLoopMetrics(opts.registry),
  });
  return (leadership) => void loop.run(leadership);
}

/** A loop that writes, started each time this replica gains the Lease and stopped when it loses it. */
type LeaderLoop = (leadership: AbortSignal) => void;

/**
 * One Lease for every loop that writes (gate loop, spend loop, learner): they move together from
 * replica to replica. Request handlers run everywhere.
 */
function startLeaderLoops(opts: { config: ServeConfig; kube: KubePorts; clock: Clock; log: Logger; loops: LeaderLoop[] }): AbortController {
  const { config, kube, clock, log } = opts;
  const identity = config.kube.identity ?? hostname();
  const elector = new LeaderElector(kube.leases, clock, log.child({ component: "leader" }), { namespace: config.kube.leaseNamespace, name: "gpu-steward-controller", identity });
  const stop = new AbortController();
  void elector.run({
    signal: stop.signal,
    onStartedLeading: (leadership) => {
      for (const loop of opts.loops) loop(leadership);
    },
    onStoppedLeading: () => log.info({ identity }, "stopped leading"),
  });
  return stop;
}

/** Composition root shared by `steward controller` and `steward webhook`. */
export async function startServe(config: ServeConfig, deps: ServeDeps = {}, roles: ServeRoles = ALL_ROLES): Promise<RunningServer> {
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? createLogger({ level: config.log.level });
  const stateDir = resolve(config.stateDir);
  mkdirSync(stateDir, { recursive: true });
  const store = openStore(join(stateDir, "steward.db"), log.child({ component: "store" }));

  let kube = deps.kube;
  if (!kube) {
    const kc = loadKubeConfig(config.kube.kubeconfig);
    if (kc) kube = kubeAdapters(kc, log, clock, { podName: config.kube.identity ?? hostname() });
  }
  log.info({ mode: kube ? "cluster" : "standalone", stateDir }, "starting");

  let certFile = config.server.tlsCert;
  let keyFile = config.server.tlsKey;
  let caBundle: string | undefined;
  const needsTls = roles.webhook || (roles.extender && config.extender.tls);
  if (needsTls && (!certFile || !keyFile)) {
    const ensured = await ensureSelfSigned(join(stateDir, "tls"), config.server.tlsDnsNames, new Date(clock.nowMs()), { ipAddresses: ["127.0.0.1"] });
    certFile = ensured.paths.certFile;
    keyFile = ensured.paths.keyFile;
    caBundle = ensured.caBundle;
    log.info({ file: certFile, created: ensured.created }, "self-signed serving certificate ready");
  }

  const registry = createRegistry();
  const readiness = createReadiness();
  const metrics = new WebhookMetrics(registry);
  const recommenders = buildRecommenders(config.webhook, clock, log);
  const gated = roles.webhook && kube !== undefined && recommenders.ado !== undefined && config.webhook.adoAsyncGate;
  if (config.webhook.adoAsyncGate && !gated) log.warn({ reason: kube ? "needs --recommender ado" : "standalone mode" }, "--ado-async-gate ignored");
  // The learned model and the cluster view are one instance each, shared by the roles of this process.
  // The model is durable: every acknowledged observation is in SQLite before its 200 (extender/scoring).
  const scoring = openScoringState(store.db, clock, log.child({ component: "scoring" }));
  const model = scoring.model;
  const view = new ClusterView(config.extender.gpuResource);

  const spendConfig = config.extender.spend;
  // The embedded ledger samples this replica's cluster view (every replica, so a new leader has the
  // month's history); it needs the cluster, so standalone it is left out and the ledger source refused.
  const ledger =
    kube && roles.extender && spendConfig.source === "ledger"
      ? new UsageLedger({ db: store.db, view, pool: spendConfig.pool, isSynced: () => viewSync?.isSynced() ?? false, whenSynced: () => viewSync?.synced ?? Promise.resolve(), clock, log: log.child({ component: "spend-ledger" }) })
      : undefined;
  const spendLoop = roles.extender
    ? createSpendLoop({
        config: spendConfig,
        db: store.db,
        registry,
        clock,
        log: log.child({ component: "spend-loop" }),
        sources: { isPoolNode: (name) => view.capacity(name)?.pool === spendConfig.pool, ...(ledger && { ledgerUsages: () => ledger.usages() }) },
      })
    : undefined;
  const learner =
    roles.extender && kube && config.extender.learner.enabled
      ? new Learner({
          customObjects: kube.customObjects,
          view,
          scoring: scoring.store,
          runs: new LearnerRuns(store.db),
          recommendationAnnotation: config.webhook.recommendationAnnotation,
          clock,
          log: log.child({ component: "learner" }),
          metrics: new LearnerMetrics(registry),
          config: config.extender.learner,
        })
      : undefined;
  // Cluster mode: the leader publishes the model and the spend record; the other replicas adopt them.
  const sharedState =
    kube && roles.extender
      ? new SharedState({
          configMaps: kube.configMaps,
          namespace: config.kube.leaseNamespace,
          identity: config.kube.identity ?? hostname(),
          model,
          scoring: scoring.store,
          ...(spendLoop && { spend: { pool: spendConfig.pool, states: new SqliteSpendStates(store.db) } }),
          clock,
          log: log.child({ component: "shared-state" }),
          metrics: new SharedStateMetrics(registry),
        })
      : undefined;
  const leaderLoops: LeaderLoop[] = [];
  if (sharedState) leaderLoops.push((leadership) => void sharedState.lead({ signal: leadership }));
  if (gated) leaderLoops.push(gateLoop({ config, kube: kube!, store, recommenders, registry, clock, log }));
  if (spendLoop) leaderLoops.push((leadership) => void spendLoop.run({ signal: leadership }));
  if (learner) leaderLoops.push((leadership) => void learner.run({ signal: leadership }));
  const audit = new AdmissionAudit(new AdmissionDecisions(store.db), log.child({ component: "admission-audit" }), { keep: 100_000 });
  const mutate = createMutateHandler({
    config: config.webhook,
    recommender: recommenders.admission,
    clock,
    log: log.child({ component: "webhook" }),
    metrics,
    ...(kube && { events: kube.events, configMaps: kube.configMaps }),
    ...(gated && { gate: { enabled: true as const } }),
    ...(config.webhook.chooseGpuType && {
      gpuTypes: learnedGpuTypeChooser({
        model,
        offered: () => {
          const inCluster = view.gpuProducts();
          return inCluster.length > 0 ? inCluster : config.webhook.gpuTypes;
        },
      }),
    }),
    memo: new DecisionMemo(config.webhook.decisionMemoEntries),
    audit,
  });
  const opsApp = createOpsApp(registry, readiness);

  const scoringApi = createScoringApi({
    model,
    store: scoring.store,
    metrics: new ScoringMetrics(registry, scoring),
    log: log.child({ component: "scoring-api" }),
    ...(sharedState && { observeRefusal: () => sharedState.observeRefusal() }),
  });

  let tls: ReturnType<typeof createTlsServer> | undefined;
  let extender: ExtenderRole | undefined;
  try {
    if (roles.webhook) tls = createTlsServer({ certFile: certFile!, keyFile: keyFile!, handler: routeMutate(mutate, opsApp), log: log.child({ component: "tls" }) });
    if (roles.extender) {
      extender = createExtenderRole({
        config: config.extender,
        view,
        model,
        registry,
        clock,
        log,
        db: store.db,
        routers: [scoringApi, createSpendStatusApi(spendLoop ? { loop: spendLoop } : {})],
        ...(spendLoop && { spendRouting: () => spendLoop.routing() }),
        ...(config.extender.tls && { tls: { certFile: certFile!, keyFile: keyFile! } }),
      });
    }
  } catch (err) {
    scoring.close();
    audit.close();
    store.close();
    throw new StewardError("TLS_MATERIAL", `cannot serve TLS with ${certFile} / ${keyFile}: ${(err as Error).message}`, "tls-cert");
  }
  // Every replica keeps its own view of nodes and pods (request handlers read it); not leader-only.
  const viewSync =
    kube && roles.extender
      ? startClusterViewSync({ watches: kube.watches, view, log: log.child({ component: "cluster-view" }), clock, metrics: new ClusterViewSyncMetrics(registry), nodeReports: true })
      : undefined;
  if (viewSync) readiness.add("cluster-view", () => (viewSync.isSynced() ? undefined : "nodes and pods not listed yet"));
  const ops = createPlainServer({ handler: opsApp, log: log.child({ component: "ops" }) });
  let stopping = false;
  readiness.add("shutdown", () => (stopping ? "shutting down" : undefined));

  const webhookPort = tls && (await listen(tls.server, config.server.webhookPort, config.server.bindAddress)).port;
  const extenderPort = extender && (await listen(extender.server, config.extender.port, config.server.bindAddress)).port;
  const metricsPort = (await listen(ops.server, config.server.metricsPort, config.server.bindAddress)).port;
  log.info({ webhookPort, extenderPort, metricsPort }, "serving");

  // Loops that write start once the process serves (a start that fails half-way leaves none running).
  // Standalone there is no Lease: the one process leads its own spend loop.
  const leaders = kube && leaderLoops.length > 0 ? startLeaderLoops({ config, kube, clock, log, loops: leaderLoops }) : undefined;
  const standaloneLoops = !kube && spendLoop ? new AbortController() : undefined;
  if (standaloneLoops && spendLoop) void spendLoop.run({ signal: standaloneLoops.signal });
  const following = sharedState || ledger ? new AbortController() : undefined;
  if (sharedState && following) void sharedState.follow(following.signal);
  if (ledger && following) void ledger.run(following.signal);

  return {
    ...(webhookPort !== undefined && { webhookPort }),
    ...(extenderPort !== undefined && { extenderPort }),
    metricsPort,
    ...(caBundle !== undefined && { caBundle }),
    log,
    async stop() {
      stopping = true;
      leaders?.abort();
      standaloneLoops?.abort();
      following?.abort();
      await Promise.allSettled([tls?.close(), extender?.close(), ops.close(), viewSync?.stop()]);
      scoring.close(); // final checkpoint of the learned model
      audit.close();
      store.close();
      log.info("stopped");
      log.flush();
    },
  };
}
