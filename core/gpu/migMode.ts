/** `mig.mode.current` / `<current_mig>`: null on GPUs without MIG (`[N/A]`). */
export type MigMode = "Enabled" | "Disabled";

export function readMigMode(text: string | null): MigMode | null | undefined {
  if (text === null) return null;
  return text === "Enabled" || text === "Disabled" ? text : undefined;
}
