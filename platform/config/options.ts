/**
 * One table per component describes every setting once: its flag, its STEWARD_* variable, its path
 * in the config file and its help line. Parsing, --help and the README's reference all come from it.
 */
export type OptionKind = "string" | "integer" | "number" | "boolean" | "list";

export interface OptionSpec {
  /** Flag without dashes: `webhook-port`. */
  flag: string;
  /** Dotted path in the config object and config file: `server.webhookPort`. */
  path: string;
  kind: OptionKind;
  help: string;
  /** Default shown in --help; the real default lives in the zod schema. */
  defaultText?: string;
}

/** `webhook-port` → `STEWARD_WEBHOOK_PORT`. */
export function envName(flag: string): string {
  return `STEWARD_${flag.toUpperCase().replace(/-/g, "_")}`;
}

/**
 * Converts a raw string from argv or the environment to the option's JSON type. Values that do
 * not convert are passed through unchanged so the zod schema reports them with the field's name.
 */
export function coerceOption(spec: OptionSpec, raw: string): unknown {
  switch (spec.kind) {
    case "integer":
    case "number": {
      const trimmed = raw.trim();
      if (trimmed === "") return raw;
      const n = Number(trimmed);
      return Number.isFinite(n) ? n : raw;
    }
    case "boolean": {
      const v = raw.trim().toLowerCase();
      if (["true", "1", "yes", "on", ""].includes(v)) return true;
      if (["false", "0", "no", "off"].includes(v)) return false;
      return raw;
    }
    case "list":
      return raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    case "string":
      return raw;
  }
}

/** Sets `value` at a dotted path, creating objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) {
      node[key] = {};
    }
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

export function getPath(source: unknown, path: string): unknown {
  let node: unknown = source;
  for (const key of path.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
