export { DEFAULT_METRICS_PORT, METRICS_PATH_ANNOTATION, METRICS_PORT_ANNOTATION, readAgentPod, SLO_ANNOTATION, SLO_LATENCY_ANNOTATION, THROTTLE_ALLOWED, THROTTLE_LABEL, type AgentPod, type PodRead } from "./agentPod.js";
export { NodePods } from "./nodePods.js";
export { HttpMetricsClient, MAX_METRICS_BYTES, type MetricsClient } from "./metricsClient.js";
export { DEFAULT_SCRAPE_OPTIONS, TenantScraper, type PodScrape, type ScrapeOptions } from "./scraper.js";
export { readMetricFiles, type MetricFileLatencies } from "./metricFiles.js";
export { podUidOfPid } from "./processPods.js";
