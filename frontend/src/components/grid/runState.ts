// What a run's state cell says: running, idle or failed (a failed run is stopped with
// sys/failed set). Each state has a word as well as a colour, so colour is never the only sign.

export type RunStateKind = "running" | "idle" | "failed" | "unknown";

/** The state shown for a run, from its sys/state and sys/failed values. */
export function runStateKind(state: unknown, failed: unknown): RunStateKind {
  if (failed === true) return "failed";
  if (state === "running" || state === "Active") return "running";
  if (state === "idle" || state === "Inactive") return "idle";
  return "unknown";
}

/** The columns a runs request fetches: the view's, plus sys/failed when sys/state is shown. */
export function withStateColumns(columns: string[]): string[] {
  return columns.includes("sys/state") && !columns.includes("sys/failed") ? [...columns, "sys/failed"] : columns;
}
