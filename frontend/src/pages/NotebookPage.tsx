// One notebook: its checkpoints newest first (name, description, who, when, kernel, size),
// each opening its rendered page, and two of them picked (A older, B newer) to compare.
import { useEffect, useState } from "react";
import { getNotebook, type Checkpoint } from "../api/notebooks";
import type { ProjectRef } from "../api/types";
import { useAsync } from "../components/run/useAsync";
import "../components/notebook/notebook.css";
import { formatBytes, formatDatetime } from "../lib/format";
import { formatHash, navigate } from "../lib/router";
import { projectName, useTitle } from "../lib/title";

function Pick({ side, checked, onPick, id }: { side: "a" | "b"; checked: boolean; onPick: () => void; id: number }) {
  return <input type="radio" name={`side-${side}`} checked={checked} onChange={onPick} aria-label={`compare ${side.toUpperCase()}: checkpoint ${id}`} data-testid={`pick-${side}`} />;
}

export function NotebookPage({ project, notebookId }: { project: ProjectRef; notebookId: number }) {
  useTitle(`notebook ${notebookId}`, projectName(project));
  const { workspace, name } = project;
  const res = useAsync((signal) => getNotebook({ workspace, name }, notebookId, signal), `${workspace}/${name}/${notebookId}`);
  const checkpoints: Checkpoint[] = res.data?.checkpoints ?? [];
  const [a, setA] = useState<number | null>(null);
  const [b, setB] = useState<number | null>(null);
  useEffect(() => {
    // the newest against the one before it
    setB(checkpoints[0]?.id ?? null);
    setA(checkpoints[1]?.id ?? null);
  }, [res.data]);
  const nb = res.data?.notebook;
  const base = ["p", workspace, name, "notebooks", String(notebookId)];

  return (
    <div className="scroll-page" data-testid="notebook-page">
      <p>
        <a href={formatHash(["p", workspace, name, "notebooks"])}>← Notebooks</a>
      </p>
      {res.error && (
        <div className="banner error" role="alert" data-testid="notebook-error">
          {res.error}
        </div>
      )}
      {!nb && !res.error && <p className="muted">Loading…</p>}
      {nb && (
        <>
          <h1 data-testid="notebook-name">{nb.name}</h1>
          <p className="nb-meta">
            <span className="mono">{nb.path}</span> · {nb.checkpoints} checkpoint{nb.checkpoints === 1 ? "" : "s"} · created {formatDatetime(nb.created)} by {nb.created_by}
          </p>
          <div className="nb-actions">
            <button type="button" data-testid="compare" disabled={a === null || b === null || a === b} onClick={() => navigate([...base, "diff"], { a: String(a), b: String(b) })}>
              Compare A with B
            </button>
            <span className="muted">{checkpoints.length < 2 ? "Take a second checkpoint to compare two." : "Pick A and B in the first columns."}</span>
          </div>
          <table className="nb-table" data-testid="checkpoints-table">
            <thead>
              <tr>
                <th title="compare from">A</th>
                <th title="compare to">B</th>
                <th>Checkpoint</th>
                <th>Description</th>
                <th>By</th>
                <th>When</th>
                <th>Kernel</th>
                <th>Size</th>
              </tr>
            </thead>
            <tbody>
              {checkpoints.map((c) => (
                <tr key={c.id} data-testid="checkpoint-row" data-id={c.id}>
                  <td>
                    <Pick side="a" id={c.id} checked={a === c.id} onPick={() => setA(c.id)} />
                  </td>
                  <td>
                    <Pick side="b" id={c.id} checked={b === c.id} onPick={() => setB(c.id)} />
                  </td>
                  <td>
                    <a href={formatHash([...base, "checkpoints", String(c.id)])} data-testid="checkpoint-link">
                      {c.name || `#${c.id}`}
                    </a>
                  </td>
                  <td className="desc">{c.description}</td>
                  <td>{c.created_by}</td>
                  <td>{formatDatetime(c.created)}</td>
                  <td>{c.kernel ?? ""}</td>
                  <td className="num">{formatBytes(c.size)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
