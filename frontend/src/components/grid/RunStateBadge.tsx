// A run's state in a table cell: a coloured word (running, idle, failed).
import { runStateKind } from "./runState";

export function RunStateBadge({ state, failed }: { state: unknown; failed: unknown }) {
  const kind = runStateKind(state, failed);
  const text = kind === "unknown" ? (state == null ? "" : String(state)) : kind;
  if (!text) return null;
  return (
    <span className={`run-state run-state-${kind}`} data-testid="run-state" data-state={kind} title={`state: ${text}`}>
      {text}
    </span>
  );
}
