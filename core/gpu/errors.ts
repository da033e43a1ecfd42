/**
 * Command text (nvidia-smi CSV, MIG tables, `-q -x` XML, sysfs files) that cannot be read. `line` is
 * 1-based in the text handed to the parser and `field` names the column, table cell or XML path, so the
 * agent can log both next to the output it captured. core cannot import platform's StewardError; the
 * agent turns this into a problem line.
 */
export class GpuTextError extends Error {
  readonly code = "GPU_TEXT_INVALID" as const;
  constructor(
    readonly line: number,
    readonly field: string | undefined,
    readonly problem: string,
  ) {
    super(`line ${line}${field === undefined ? "" : `, ${field}`}: ${problem}`);
    this.name = "GpuTextError";
  }
}
