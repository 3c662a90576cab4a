// One checkpoint rendered: its details, a download of the exact .ipynb bytes, and the
// notebook's cells and outputs (components/notebook/: nothing of the notebook runs here).
import { useEffect, useMemo, useState } from "react";
import { checkpointContent, checkpointFilename, getCheckpoint, type Checkpoint } from "../api/notebooks";
import type { ProjectRef } from "../api/types";
import { NotebookView } from "../components/notebook/NotebookView";
import { useAsync } from "../components/run/useAsync";
import { formatBytes, formatDatetime } from "../lib/format";
import { parseNotebook, type Notebook } from "../lib/notebook/notebook";
import { formatHash } from "../lib/router";
import { projectName, useTitle } from "../lib/title";

interface Loaded {
  checkpoint: Checkpoint;
  bytes: ArrayBuffer;
}

/** An object URL of some bytes, revoked when they change or the page goes. */
function useObjectUrl(bytes: ArrayBuffer | null, type: string): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!bytes) return;
    const u = URL.createObjectURL(new Blob([bytes], { type }));
    setUrl(u);
    return () => {
      URL.revokeObjectURL(u);
      setUrl(null);
    };
  }, [bytes, type]);
  return url;
}

export default function CheckpointPage({ project, notebookId, checkpointId }: { project: ProjectRef; notebookId: number; checkpointId: number }) {
  useTitle(`checkpoint ${checkpointId}`, `notebook ${notebookId}`, projectName(project));
  const { workspace, name } = project;
  const res = useAsync<Loaded>(async (signal) => {
    const p = { workspace, name };
    const [checkpoint, bytes] = await Promise.all([getCheckpoint(p, notebookId, checkpointId, signal), checkpointContent(p, notebookId, checkpointId, signal)]);
    return { checkpoint, bytes };
  }, `${workspace}/${name}/${notebookId}/${checkpointId}`);
  const parsed = useMemo((): { notebook: Notebook | null; error: string | null } => {
    if (!res.data) return { notebook: null, error: null };
    try {
      return { notebook: parseNotebook(new TextDecoder().decode(res.data.bytes)), error: null };
    } catch (e) {
      return { notebook: null, error: (e as Error).message };
    }
  }, [res.data]);
  const download = useObjectUrl(res.data?.bytes ?? null, "application/x-ipynb+json");
  const c = res.data?.checkpoint;
  const base = ["p", workspace, name, "notebooks", String(notebookId)];

  return (
    <div className="scroll-page" data-testid="checkpoint-page">
      <p>
        <a href={formatHash(["p", workspace, name, "notebooks"])}>Notebooks</a> / <a href={formatHash(base)}>{c ? c.notebook_path : `notebook ${notebookId}`}</a>
      </p>
      {res.error && (
        <div className="banner error" role="alert" data-testid="checkpoint-error">
          {res.error}
        </div>
      )}
      {!c && !res.error && <p className="muted">Loading…</p>}
      {c && (
        <>
          <h1 data-testid="checkpoint-name">{c.name || `Checkpoint ${c.id}`}</h1>
          <p className="nb-meta" data-testid="checkpoint-meta">
            #{c.id} · by {c.created_by} · {formatDatetime(c.created)}
            {c.kernel ? ` · kernel ${c.kernel}` : ""} · {formatBytes(c.size)} ·{" "}
            <span className="mono" title={c.sha256}>
              sha256 {c.sha256.slice(0, 12)}…
            </span>
          </p>
          {c.description && <p className="nb-description">{c.description}</p>}
          <div className="nb-actions">
            {download ? (
              <a className="button" href={download} download={checkpointFilename(c)} data-testid="checkpoint-download">
                Download .ipynb
              </a>
            ) : (
              <span className="muted">Download .ipynb</span>
            )}
            {parsed.notebook && (
              <span className="muted">
                {parsed.notebook.cells.length} cells{parsed.notebook.language ? ` · ${parsed.notebook.language}` : ""}
              </span>
            )}
          </div>
          {parsed.error && (
            <div className="banner error" role="alert" data-testid="notebook-parse-error">
              {parsed.error}
            </div>
          )}
          {parsed.notebook && <NotebookView notebook={parsed.notebook} />}
        </>
      )}
    </div>
  );
}
