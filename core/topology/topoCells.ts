/**
 * Splitting `nvidia-smi topo -m` lines into cells. nvidia-smi separates cells with TABs, but copies are
 * often pasted tab-expanded to 8-column stops (ThunderKittens fixture), where empty cells are only
 * visible as extra stops skipped. Such lines are turned back into TAB-separated ones (`untab`), so both
 * go through the same cell rules; a line that fits no 8-column layout falls back to whitespace words.
 */
export interface SplitLine {
  /** `words`: the fallback, where empty cells are lost and multi-word cells are split on 2+ spaces. */
  readonly style: "tabs" | "words";
  /** Trimmed cell texts; empty cells kept in the `tabs` style. */
  readonly cells: readonly string[];
}

/** Cells of a matrix row. */
export function splitRow(line: string): SplitLine {
  const tabbed = line.includes("\t") ? line : untab(line);
  if (tabbed !== null) return { style: "tabs", cells: tabbed.split("\t").map((c) => c.trim()) };
  return { style: "words", cells: line.trim().split(/\s+/) };
}

/**
 * Cells of the header row. The corner cell is empty in real output (leading TAB) but missing in some
 * copies (XD670 fixture); either way it is dropped.
 */
export function splitHeader(line: string): SplitLine {
  const tabbed = line.includes("\t") ? line : untab(line);
  if (tabbed !== null) {
    const cells = tabbed.split("\t").map((c) => c.trim());
    return { style: "tabs", cells: cells[0] === "" ? cells.slice(1) : cells };
  }
  return { style: "words", cells: line.trim().split(/\s{2,}/) };
}

export const TAB_WIDTH = 8;

/**
 * Rebuilds the TABs of a line expanded to 8-column stops, or null when the line does not have that
 * layout. A run of spaces that crosses n stops was n TABs (so empty cells come back); a single space
 * that crosses none is a space inside a cell (`CPU Affinity`). Cells start on a stop, except the self
 * cell, which nvidia-smi prints as ` X ` (one space of left padding).
 */
export function untab(line: string): string | null {
  let out = "";
  let end = 0;
  for (const m of line.matchAll(/\S+/g)) {
    const word = m[0];
    const start = m.index;
    const tabs = Math.floor(start / TAB_WIDTH) - Math.floor(end / TAB_WIDTH);
    if (tabs === 0) {
      if (out !== "" && start - end !== 1) return null; // two spaces inside a cell: not a tab layout
      out += line.slice(end, start) + word;
    } else {
      const pad = start - Math.floor(start / TAB_WIDTH) * TAB_WIDTH;
      if (pad > 1 || (pad === 1 && word !== "X")) return null;
      out += "\t".repeat(tabs) + " ".repeat(pad) + word;
    }
    end = start + word.length;
  }
  return out;
}
