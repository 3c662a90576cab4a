// The cell-by-cell diff of two checkpoints (A, B in the URL): every cell's status coloured,
// a changed source's line differences, runs of unchanged cells folded until opened.
import { useMemo, useState } from "react";
import { diffCheckpoints, type CellDiff, type CellStatus } from "../api/notebooks";
import type { ProjectRef } from "../api/types";
import { CellDiffView } from "../components/notebook/CellDiffView";
import "../components/notebook/notebook.css";
import { useAsync } from "../components/run/useAsync";
import { formatDatetime } from "../lib/format";
import { foldUnchanged } from "../lib/notebook/linediff";
import { formatHash } from "../lib/router";
import { projectName, useTitle } from "../lib/title";

const STATUSES: CellStatus[] = ["changed", "added", "removed", "same"];

export default function NotebookDiffPage({ project, notebookId, query }: { project: ProjectRef; notebookId: number; query: URLSearchParams }) {
  useTitle("diff", `notebook ${notebookId}`, projectName(project));
  const { workspace, name } = project;
  const a = Number(query.get("a"));
  const b = Number(query.get("b"));
  const valid = Number.isInteger(a) && Number.isInteger(b) && a > 0 && b > 0;
  const res = useAsync((signal) => (valid ? diffCheckpoints({ workspace, name }, notebookId, a, b, signal) : Promise.reject(new Error("Pick two checkpoints to compare (?a=ID&b=ID)."))), `${workspace}/${name}/${notebookId}/${a}/${b}`);
  const [opened, setOpened] = useState<Set<number>>(new Set());
  const cells = res.data?.cells ?? [];
  const segments = useMemo(() => foldUnchanged(cells, (c) => c.status === "same"), [res.data]);
  const counts = useMemo(() => {
    const n: Record<CellStatus, number> = { same: 0, changed: 0, added: 0, removed: 0 };
    for (const c of cells) n[c.status]++;
    return n;
  }, [res.data]);
  const base = ["p", workspace, name, "notebooks", String(notebookId)];
  const side = (label: string, id: number, when?: number, cpName?: string) => (
    <span>
      {label}:{" "}
      <a href={formatHash([...base, "checkpoints", String(id)])} data-testid={`diff-${label.toLowerCase()}`}>
        {cpName || `#${id}`}
      </a>
      {when !== undefined && <span className="muted"> ({formatDatetime(when)})</span>}
    </span>
  );

  return (
    <div className="scroll-page" data-testid="notebook-diff-page">
      <p>
        <a href={formatHash(["p", workspace, name, "notebooks"])}>Notebooks</a> / <a href={formatHash(base)}>{res.data ? res.data.b.notebook_path : `notebook ${notebookId}`}</a>
      </p>
      <h1>Compare checkpoints</h1>
      {res.error && (
        <div className="banner error" role="alert" data-testid="diff-error">
          {res.error}
        </div>
      )}
      {!res.data && !res.error && <p className="muted">Loading…</p>}
      {res.data && (
        <>
          <p className="nb-meta">
            {side("A", a, res.data.a.created, res.data.a.name)} → {side("B", b, res.data.b.created, res.data.b.name)}
          </p>
          <div className="nbd-legend" data-testid="diff-summary">
            {STATUSES.map((s) => (
              <span key={s} className={`nbd-${s}`}>
                <span className="nbd-status">{s}</span> {counts[s]}
              </span>
            ))}
          </div>
          {cells.length === 0 && <p className="muted">Both checkpoints are empty.</p>}
          {segments.map((seg) =>
            seg.kind === "folded" && !opened.has(seg.start) ? (
              <button key={seg.start} type="button" className="nbd-fold" data-testid="nbd-fold" onClick={() => setOpened((o) => new Set(o).add(seg.start))}>
                {seg.items.length} unchanged cells — show
              </button>
            ) : (
              seg.items.map((c: CellDiff, k) => <CellDiffView key={seg.start + k} cell={c} />)
            ),
          )}
        </>
      )}
    </div>
  );
}
