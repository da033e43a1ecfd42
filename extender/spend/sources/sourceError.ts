/**
 * The one way a spend source fails: `StewardError("SPEND_SOURCE")` whose message names the source
 * and the URL it asked, so a log line alone says which backend to check. Credentials in the URL are
 * never printed.
 */
import type { z } from "zod";
import { StewardError } from "../../../platform/errors.js";

/** The URL as it may appear in a log: no user name or password. */
export function displayUrl(url: URL): string {
  if (url.username === "" && url.password === "") return url.href;
  const shown = new URL(url.href);
  shown.username = "";
  shown.password = "";
  return shown.href;
}

export function spendSourceError(source: string, url: URL, reason: string, field?: string): StewardError {
  return new StewardError("SPEND_SOURCE", `${source}: GET ${displayUrl(url)}: ${reason}`, field);
}

/** `["data", 0, "node-a", "totalCost"]` → `data[0]["node-a"].totalCost`. */
export function bodyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === "" ? "(body)" : out;
}

/** A body that is not the documented shape: the first issue, its path as the field. */
export function malformedBody(source: string, url: URL, error: z.ZodError): StewardError {
  const issue = error.issues[0];
  const field = bodyPath(issue?.path ?? []);
  return spendSourceError(source, url, `unexpected body: ${field}: ${issue?.message ?? "invalid"}`, field);
}
