/**
 * A NodeReport (or a part of one) that does not match the schema: read back from the API server, or
 * about to be written. `field` is a dotted path such as `status.tenants.1.p99Ms`; core cannot import
 * platform's StewardError, so callers map this themselves (the writer to a 422, a reader to a skip).
 */
export class NodeReportInputError extends Error {
  constructor(
    readonly field: string,
    /** What is wrong with it, without the field. */
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = "NodeReportInputError";
  }
}
