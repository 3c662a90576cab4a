// A project's notebooks, last updated first: name, path, how many checkpoints, last update.
import { listNotebooks } from "../api/notebooks";
import type { ProjectRef } from "../api/types";
import { useAsync } from "../components/run/useAsync";
import "../components/notebook/notebook.css";
import { formatDatetime } from "../lib/format";
import { formatHash } from "../lib/router";
import { projectName, useTitle } from "../lib/title";

export function NotebooksPage({ project }: { project: ProjectRef }) {
  useTitle("notebooks", projectName(project));
  const { workspace, name } = project;
  const list = useAsync((signal) => listNotebooks({ workspace, name }, signal), `${workspace}/${name}`);
  const notebooks = list.data;
  return (
    <div className="scroll-page" data-testid="notebooks-page">
      <h1>Notebooks</h1>
      {list.error && (
        <div className="banner error" role="alert" data-testid="notebooks-error">
          {list.error}
        </div>
      )}
      {!notebooks && !list.error && <p className="muted">Loading…</p>}
      {notebooks && notebooks.length === 0 && (
        <p className="muted" data-testid="notebooks-empty">
          No notebooks yet: in Jupyter, <code>%load_ext despina.notebooks</code> then <code>%despina_checkpoint "name" "description"</code>, or from Python{" "}
          <code>despina.notebooks.upload_checkpoint("train.ipynb", "name")</code>.
        </p>
      )}
      {notebooks && notebooks.length > 0 && (
        <table className="nb-table" data-testid="notebooks-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Path</th>
              <th>Checkpoints</th>
              <th>Last checkpoint</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {notebooks.map((n) => (
              <tr key={n.id} data-testid="notebook-row" data-id={n.id}>
                <td>
                  <a href={formatHash(["p", workspace, name, "notebooks", String(n.id)])} data-testid="notebook-link">
                    {n.name}
                  </a>
                </td>
                <td className="mono" data-testid="notebook-path">
                  {n.path}
                </td>
                <td className="num" data-testid="notebook-count">
                  {n.checkpoints}
                </td>
                <td>{n.latest ? `${n.latest.name || "(unnamed)"} by ${n.latest.created_by}` : ""}</td>
                <td>{formatDatetime(n.updated)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
