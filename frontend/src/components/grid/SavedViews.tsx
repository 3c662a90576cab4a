// Saved views of a table page: load one by name, save the current state under a name,
// delete the loaded one. The server keeps each view's state opaque: here, the URL query.
import { useCallback, useEffect, useState } from "react";
import type { ProjectRef } from "../../api/types";
import { deleteView, listViews, saveView, viewNameProblem, type SavedView } from "../../api/views";

export interface SavedViewsProps {
  project: ProjectRef;
  page: string; // "runs" or "models": views of one page are listed there only
  current: string; // name of the view loaded, "" for none
  query: string; // the state to save
  onLoad(name: string, query: string): void;
}

export function SavedViews({ project, page, current, query, onLoad }: SavedViewsProps) {
  const [views, setViews] = useState<SavedView[] | null>(null);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const { workspace, name: projectName } = project;
  const refresh = useCallback(() => {
    listViews({ workspace, name: projectName })
      .then((v) => setViews(v.filter((x) => (x.state?.page ?? "runs") === page)))
      .catch((e: Error) => setError(`views: ${e.message}`));
  }, [workspace, projectName, page]);

  useEffect(refresh, [refresh]);

  const save = async () => {
    const n = name.trim();
    const problem = viewNameProblem(n);
    if (problem) {
      setError(problem);
      return;
    }
    try {
      await saveView(project, n, { query, page });
      setError(null);
      setSaving(false);
      setName("");
      refresh();
      onLoad(n, query);
    } catch (e) {
      setError(`could not save the view: ${(e as Error).message}`);
    }
  };

  const remove = async () => {
    try {
      await deleteView(project, current);
      refresh();
      onLoad("", query);
    } catch (e) {
      setError(`could not delete the view: ${(e as Error).message}`);
    }
  };

  return (
    <div className="views" data-testid="saved-views">
      <select
        data-testid="view-select"
        value={current && views?.some((v) => v.name === current) ? current : ""}
        onChange={(e) => {
          const v = views?.find((x) => x.name === e.target.value);
          if (v) onLoad(v.name, typeof v.state.query === "string" ? v.state.query : "");
        }}
        aria-label="saved views"
      >
        <option value="">{views && views.length ? "Saved views…" : "No saved views"}</option>
        {views?.map((v) => (
          <option key={v.name} value={v.name}>
            {v.name}
          </option>
        ))}
      </select>
      {saving ? (
        <>
          <input
            autoFocus
            data-testid="view-name"
            placeholder="View name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") save();
              if (e.key === "Escape") setSaving(false);
            }}
          />
          <button type="button" data-testid="view-save-confirm" onClick={save}>
            Save
          </button>
        </>
      ) : (
        <button
          type="button"
          data-testid="view-save"
          onClick={() => {
            setName(current);
            setSaving(true);
          }}
        >
          Save view
        </button>
      )}
      {current && (
        <button type="button" data-testid="view-delete" onClick={remove} title={`Delete the view ${current}`}>
          Delete view
        </button>
      )}
      {error && (
        <span className="views-error" data-testid="views-error">
          {error}
        </span>
      )}
    </div>
  );
}
