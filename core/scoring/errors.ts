/**
 * The one way core/scoring rejects input: every public entry point checks what a caller (an HTTP body,
 * a ConfigMap snapshot, a config file) could get wrong and throws ScoringInputError naming the field.
 * core/ cannot import platform/errors.ts, so the HTTP layer maps this class to a 400 (or to
 * StewardError) by checking `isScoringInputError`.
 */
export class ScoringInputError extends Error {
  readonly code = "SCORING_INPUT_INVALID" as const;
  constructor(
    /** Dotted path of the offending field, e.g. `candidateGpuTypes` or `stats[3].variance`. */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "ScoringInputError";
  }
}

export function isScoringInputError(err: unknown): err is ScoringInputError {
  return err instanceof ScoringInputError;
}

export function requireName(value: unknown, field: string): string {
  if (typeof value !== "string" || value.length === 0) throw new ScoringInputError(field, "expected a non-empty string");
  return value;
}

export function requireNames(value: unknown, field: string, opts: { nonEmpty: boolean }): string[] {
  if (!Array.isArray(value)) throw new ScoringInputError(field, "expected an array of strings");
  if (opts.nonEmpty && value.length === 0) throw new ScoringInputError(field, "expected at least one entry");
  value.forEach((v, i) => requireName(v, `${field}[${i}]`));
  return value as string[];
}

export function requireFinite(value: unknown, field: string, min = -Infinity, max = Infinity): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new ScoringInputError(field, "expected a finite number");
  if (value < min) throw new ScoringInputError(field, `expected a number ≥ ${min}`);
  if (value > max) throw new ScoringInputError(field, `expected a number ≤ ${max}`);
  return value;
}
