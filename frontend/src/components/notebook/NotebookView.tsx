// A whole notebook's cells, in order.
import type { Notebook } from "../../lib/notebook/notebook";
import { CellView } from "./CellView";
import "./notebook.css";

export function NotebookView({ notebook }: { notebook: Notebook }) {
  if (notebook.cells.length === 0) return <p className="muted">This notebook has no cells.</p>;
  return (
    <div className="nb-view" data-testid="notebook-view">
      {notebook.cells.map((cell, i) => (
        <CellView key={i} cell={cell} index={i} />
      ))}
    </div>
  );
}
