/**
 * Label selectors as the API server reads the `labelSelector` query parameter (k8s.io/apimachinery
 * labels.Parse): equality (`a=b`, `a==b`, `a!=b`), set-based (`a in (b,c)`, `a notin (b,c)`) and
 * existence (`a`, `!a`), comma-separated and ANDed. Not supported: the numeric `a>1` / `a<1` forms.
 */
import { KubeApiError } from "./errors.js";

export type Requirement =
  | { key: string; op: "exists" | "notexists" }
  | { key: string; op: "in" | "notin"; values: string[] };

function badSelector(selector: string, why: string): KubeApiError {
  return new KubeApiError(400, "BadRequest", `unable to parse requirement in label selector "${selector}": ${why}`);
}

/** Splits on the commas that separate requirements, not those inside `( … )`. */
function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i += 1) {
    const ch = selector[i];
    if (ch === "(") depth += 1;
    else if (ch === ")") depth -= 1;
    else if (ch === "," && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  return parts.map((p) => p.trim());
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function checkKey(selector: string, key: string): string {
  if (!KEY.test(key)) throw badSelector(selector, `invalid label key "${key}"`);
  return key;
}

function checkValue(selector: string, value: string): string {
  if (!VALUE.test(value)) throw badSelector(selector, `invalid label value "${value}"`);
  return value;
}

function parseRequirement(selector: string, text: string): Requirement {
  const setMatch = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(text);
  if (setMatch) {
    const [, key = "", op, list = ""] = setMatch;
    const values = list.split(",").map((v) => checkValue(selector, v.trim()));
    return { key: checkKey(selector, key), op: op === "in" ? "in" : "notin", values };
  }
  const eqMatch = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(text);
  if (eqMatch) {
    const [, key = "", op, value = ""] = eqMatch;
    return { key: checkKey(selector, key), op: op === "!=" ? "notin" : "in", values: [checkValue(selector, value)] };
  }
  if (text.startsWith("!")) return { key: checkKey(selector, text.slice(1).trim()), op: "notexists" };
  return { key: checkKey(selector, text), op: "exists" };
}

/** Throws KubeApiError 400 (as the API server answers) for a selector it cannot parse. */
export function parseLabelSelector(selector: string): Requirement[] {
  if (selector.trim() === "") return [];
  return splitRequirements(selector).map((part) => {
    if (part === "") throw badSelector(selector, "empty requirement");
    return parseRequirement(selector, part);
  });
}

export function matchesLabels(requirements: Requirement[], labels: Record<string, string>): boolean {
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.op) {
      case "exists":
        return has;
      case "notexists":
        return !has;
      case "in":
        return has && r.values.includes(labels[r.key] ?? "");
      case "notin":
        return !has || !r.values.includes(labels[r.key] ?? "");
    }
  });
}
