/**
 * The PID controller's seed vectors (§A.10), read from test/fixtures/seeds/ (see SOURCES.md): a JSON
 * table computed by running the original script with simple-pid 1.0.0 and a fake clock, followed
 * by one line for the same-process sequence.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const seedsDir = fileURLToPath(new URL("../../fixtures/seeds/", import.meta.url));

export interface PidVector {
  label: string;
  date: string;
  spend: number;
  rate: number;
  rollout: number;
  /** null: no state file, the integral starts at 0. */
  integral_in: number | null;
  /** Seconds between making the PID and calling it. */
  dt_s: number;
  /** The routing percentage, or the Python exception the seed raised. */
  result: number | string;
  components: [number, number, number] | null;
  integral_out: number;
}

export interface SameProcessSequence {
  outputs: [number, number, number];
  lastComponents: [number, number, number];
}

const text = readFileSync(`${seedsDir}A_pid_vectors.txt`, "utf8");
const marker = "\nsame-process sequence:";
const at = text.indexOf(marker);

export const pidVectors: PidVector[] = JSON.parse(text.slice(0, at)) as PidVector[];

function parseSequence(line: string): SameProcessSequence {
  const m = /^\s*(\S+) (\S+) (\S+) \((\S+), (\S+), (\S+)\)/.exec(line);
  if (m === null) throw new Error(`unexpected same-process line: ${line}`);
  const n = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return { outputs: [n[0], n[1], n[2]], lastComponents: [n[3], n[4], n[5]] };
}

export const sameProcessSequence = parseSequence(text.slice(at + marker.length));
