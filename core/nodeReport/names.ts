/** Where NodeReports live in the API: `gpu-steward.io/v1alpha1`, kind NodeReport, cluster-scoped, one per node. */
export const NODE_REPORT_GROUP = "gpu-steward.io";
export const NODE_REPORT_VERSION = "v1alpha1";
export const NODE_REPORT_API_VERSION = `${NODE_REPORT_GROUP}/${NODE_REPORT_VERSION}`;
export const NODE_REPORT_KIND = "NodeReport";
export const NODE_REPORT_PLURAL = "nodereports";
