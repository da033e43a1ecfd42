/**
 * Variable resolution for launcher words. Only what is known at admission counts: literal `env`
 * entries of the container and literal assignments earlier in the script. `valueFrom` entries
 * (Secrets, ConfigMaps, field refs) have no value yet, and the training operator injects its own
 * variables (WORLD_SIZE, RANK, MASTER_*, PET_*) only when it creates the pods.
 */
import type { ContainerSpec } from "./types.js";
import type { Piece } from "./words.js";

/**
 * Variables the Kubeflow training operator adds to every PyTorchJob pod (envvar.go, master.go):
 * a value built from them is decided by the operator, not by the user, so it is reported as
 * operator-provided instead of unresolved.
 */
export function isOperatorVar(name: string): boolean {
  return name === "WORLD_SIZE" || name === "RANK" || name === "MASTER_ADDR" || name === "MASTER_PORT" || name.startsWith("PET_");
}

export interface EnvScope {
  /** Literal container env (last entry of a name wins, as in Kubernetes). */
  readonly literal: ReadonlyMap<string, string>;
  /** Names set through `valueFrom`: present at run time, unknown now. */
  readonly fromRef: ReadonlySet<string>;
  /** Literal assignments made by the script before the launcher call; they shadow the env. */
  readonly locals?: ReadonlyMap<string, readonly Piece[]>;
}

export function envScope(container: ContainerSpec): EnvScope {
  const literal = new Map<string, string>();
  const fromRef = new Set<string>();
  for (const entry of container.env ?? []) {
    if (entry.valueFrom !== undefined && entry.valueFrom !== null) {
      literal.delete(entry.name);
      fromRef.add(entry.name);
    } else {
      fromRef.delete(entry.name);
      literal.set(entry.name, entry.value ?? "");
    }
  }
  return { literal, fromRef };
}

export function withLocals(scope: EnvScope, locals: ReadonlyMap<string, readonly Piece[]>): EnvScope {
  return locals.size === 0 ? scope : { ...scope, locals };
}

export type Resolution =
  | { readonly kind: "value"; readonly value: string }
  /** Built from training-operator variables; the operator decides the value per pod. */
  | { readonly kind: "operator"; readonly vars: readonly string[] }
  | { readonly kind: "unresolved"; readonly why: string };

// Script variables may refer to each other; a cycle (`A=$B; B=$A`) must not loop forever.
const MAX_DEPTH = 8;

export function resolvePieces(pieces: readonly Piece[], scope: EnvScope, depth = 0): Resolution {
  let value = "";
  const operatorVars: string[] = [];
  let unresolved: string | undefined;
  for (const piece of pieces) {
    if (piece.kind === "lit") {
      value += piece.text;
      continue;
    }
    if (piece.kind === "opaque") {
      unresolved ??= `${piece.source} is only known at run time`;
      continue;
    }
    const r = resolveVar(piece.name, piece.source, piece.fallback, scope, depth);
    if (r.kind === "value") value += r.value;
    else if (r.kind === "operator") operatorVars.push(...r.vars);
    else unresolved ??= r.why;
  }
  // Operator variables win over "unresolved": the value is legitimately decided per pod.
  if (operatorVars.length > 0) return { kind: "operator", vars: [...new Set(operatorVars)] };
  if (unresolved !== undefined) return { kind: "unresolved", why: unresolved };
  return { kind: "value", value };
}

function resolveVar(name: string, shown: string, fallback: string | undefined, scope: EnvScope, depth: number): Resolution {
  const local = scope.locals?.get(name);
  if (local !== undefined) {
    if (depth >= MAX_DEPTH) return { kind: "unresolved", why: `${shown} is defined in terms of itself` };
    // A script variable is expanded in the scope of the call; its own locals are already in `scope`.
    return orFallback(resolvePieces(local, scope, depth + 1), fallback);
  }
  if (isOperatorVar(name)) return { kind: "operator", vars: [name] };
  const literal = scope.literal.get(name);
  if (literal !== undefined) return orFallback({ kind: "value", value: literal }, fallback);
  if (fallback !== undefined && !scope.fromRef.has(name)) return { kind: "value", value: fallback };
  if (scope.fromRef.has(name)) return { kind: "unresolved", why: `${shown} comes from valueFrom and is not known at admission` };
  return { kind: "unresolved", why: `${shown} has no literal value in the container env` };
}

/** `${NAME:-x}`: an empty value falls back too (the `:-` form, the one people write). */
function orFallback(r: Resolution, fallback: string | undefined): Resolution {
  if (fallback !== undefined && r.kind === "value" && r.value === "") return { kind: "value", value: fallback };
  return r;
}
