// One cell of a diff of two checkpoints: its status coloured, and its source: the line
// differences when it changed, the source of its one side when it was added or removed.
import { useMemo } from "react";
import type { CellDiff } from "../../api/notebooks";
import { lineDiff, type DiffLine } from "../../lib/notebook/linediff";

function Lines({ lines }: { lines: DiffLine[] }) {
  return (
    <pre className="nbd-lines" data-testid="nbd-lines">
      {lines.map((l, i) => (
        <div key={i} className={`nbd-line ${l.op}`} data-op={l.op}>
          <span className="ln">{l.a ?? ""}</span>
          <span className="ln">{l.b ?? ""}</span>
          <span className="mark">{l.op === "add" ? "+" : l.op === "del" ? "−" : " "}</span>
          <span>{l.text || " "}</span>
        </div>
      ))}
    </pre>
  );
}

function where(c: CellDiff): string {
  if (c.a_index !== null && c.b_index !== null)
    return c.a_index === c.b_index ? `cell ${c.b_index + 1}` : `cell ${c.a_index + 1} → ${c.b_index + 1}`;
  if (c.b_index !== null) return `cell ${c.b_index + 1} (new)`;
  return `cell ${(c.a_index ?? 0) + 1} (old)`;
}

export function CellDiffView({ cell }: { cell: CellDiff }) {
  const lines = useMemo(() => lineDiff(cell.source_a ?? "", cell.source_b ?? ""), [cell.source_a, cell.source_b]);
  const sourceChanged = (cell.source_a ?? "") !== (cell.source_b ?? "");
  return (
    <div className={`nbd-cell nbd-${cell.status}`} data-testid="nbd-cell" data-status={cell.status} data-a={cell.a_index ?? ""} data-b={cell.b_index ?? ""}>
      <div className="nbd-head">
        <span className="nbd-status" data-testid="nbd-status">
          {cell.status}
        </span>
        <span data-testid="nbd-where">{where(cell)}</span>
        <span>{cell.cell_type}</span>
        {cell.status === "changed" && !sourceChanged && <span>source unchanged</span>}
        {cell.outputs_changed && <span data-testid="nbd-outputs-changed">outputs changed</span>}
      </div>
      <Lines lines={lines} />
    </div>
  );
}
