/**
 * Bad input to a core/spend function. `field` names the offending input (`sample.monthToDateUsd`,
 * `config.pid.outputLimits`) so the CLI and the HTTP edge can turn it into a message or a 400 naming
 * the field; core cannot import platform's StewardError, so callers map this to `USAGE` /
 * `CONFIG_INVALID` themselves.
 */
export class SpendInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "SpendInputError";
  }
}

export function requireFinite(field: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new SpendInputError(field, `expected a finite number, got ${String(value)}`);
  }
  return value;
}

export function requireNonNegative(field: string, value: number): number {
  requireFinite(field, value);
  if (value < 0) throw new SpendInputError(field, `expected a number ≥ 0, got ${value}`);
  return value;
}

export function requirePositive(field: string, value: number): number {
  requireFinite(field, value);
  if (value <= 0) throw new SpendInputError(field, `expected a number > 0, got ${value}`);
  return value;
}

/** Epoch milliseconds (fractions allowed) inside the range Date can represent. */
export function requireEpochMs(field: string, value: number): number {
  requireFinite(field, value);
  // Date's own range (±8.64e15 ms); beyond it the calendar maths has no answer.
  if (Math.abs(value) > 8.64e15) throw new SpendInputError(field, `epoch ms out of range: ${value}`);
  return value;
}
