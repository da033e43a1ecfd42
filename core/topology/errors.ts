/**
 * `nvidia-smi topo -m` text that cannot be read. `line` is 1-based in the text handed to the parser, so
 * the agent can log it next to the command output it captured.
 */
export class TopoParseError extends Error {
  readonly code = "TOPOLOGY_TEXT_INVALID" as const;
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
    this.name = "TopoParseError";
  }
}

/**
 * Bad data handed to a core/topology function (a NodeReport topology read back from the cluster, an
 * inventory that does not match the matrix, a k < 1). `field` is a dotted path such as
 * `topology.links.2.5`; core cannot import platform's StewardError, so callers map this themselves.
 */
export class TopologyInputError extends Error {
  readonly code = "TOPOLOGY_INPUT_INVALID" as const;
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "TopologyInputError";
  }
}

/** A cpulist (`0-55,112-167`) that does not follow the kernel's format; callers add where it came from. */
export class CpuListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CpuListError";
  }
}
