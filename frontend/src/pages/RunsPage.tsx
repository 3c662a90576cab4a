// The runs table of a project: a virtual grid over every run, filtered by NQL and quick
// filters, sorted by any column, with tag editing, trash, saved views and comparison. The
// whole view lives in the URL query (lib/urlstate.ts).
import { useCallback, useMemo, useState } from "react";
import { setTags, setTrashed } from "../api/operations";
import { queryError } from "../api/tables";
import type { PageProps } from "../api/types";
import { ColumnChooser } from "../components/grid/ColumnChooser";
import { CsvDownload } from "../components/grid/CsvDownload";
import { CellValue, ChangedCell } from "../components/grid/Cell";
import { defaultWidth } from "../components/grid/layout";
import { RunStateBadge } from "../components/grid/RunStateBadge";
import { withStateColumns } from "../components/grid/runState";
import { SavedViews } from "../components/grid/SavedViews";
import { seenValues, useProjectFields } from "../components/grid/useProjectFields";
import { useSelection } from "../components/grid/useSelection";
import { useTableRows, type Row } from "../components/grid/useTableRows";
import { useViewState } from "../components/grid/useViewState";
import { VirtualGrid, type GridColumn } from "../components/grid/VirtualGrid";
import { GroupChooser } from "../components/groups/GroupChooser";
import { GroupsTable } from "../components/groups/GroupsTable";
import { NqlBox } from "../components/nql/NqlBox";
import { formatHash, navigate } from "../lib/router";
import { useRowCursor } from "../lib/shortcuts";
import { projectName, useTitle } from "../lib/title";
import { DEFAULT_RUN_COLUMNS, composeFilter, decodeState, encodeState, viewQuery } from "../lib/urlstate";

/** How often the rows on screen are fetched again while "Live" is on, in ms. */
const LIVE_MS = 2000;

export function RunsPage({ project, query }: PageProps) {
  const { workspace, name } = project;
  const path = useMemo(() => ["p", workspace, name, "runs"], [workspace, name]);
  const [state, update] = useViewState(path, query, DEFAULT_RUN_COLUMNS);
  const filter = composeFilter(state);
  const request = useMemo(
    () => ({
      filter: filter.text || undefined,
      // grouped, the page shows groups: the rows fetched only give the total
      columns: state.groups.length ? ["sys/id"] : withStateColumns(state.columns),
      sort_by: state.sort,
      ascending: state.ascending,
      trashed: state.trashed,
    }),
    [filter.text, state.columns.join("\u0000"), state.groups.length > 0, state.sort, state.ascending, state.trashed],
  );
  const [live, setLive] = useState(true);
  const table = useTableRows(project, "run", request, live && !state.groups.length ? LIVE_MS : 0);
  useTitle("runs", projectName(project));
  const cursor = useRowCursor(state.groups.length ? 0 : (table.total ?? 0), (i) => {
    const id = table.get(i)?.["sys/id"];
    if (typeof id === "string") navigate([...path.slice(0, 3), "runs", id]);
  });
  const { fields, error: fieldsError } = useProjectFields(workspace, name, "run");
  const sel = useSelection(table.get, table.held, table.total);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [tagText, setTagText] = useState("");

  const qerr = queryError(table.error);
  let nqlError = null;
  if (qerr) {
    const pos = qerr.position === null ? null : qerr.position - filter.offset;
    nqlError = { message: qerr.message, position: pos !== null && pos >= 0 && pos <= state.filter.length ? pos : null };
  }
  const otherError = table.error && !qerr ? (table.error as Error).message : null;

  const types = useMemo(() => {
    const t: Record<string, string> = {};
    for (const f of fields ?? []) t[f.path] = f.type;
    return { ...t, ...table.types };
  }, [fields, table.types]);

  const columns: GridColumn[] = state.columns.map((p) => ({
    path: p,
    type: types[p],
    width: state.widths[p] ?? defaultWidth(p, types[p]),
  }));

  const valuesFor = useCallback((p: string) => seenValues(table.held(), p), [table.version]);

  const renderCell = useCallback(
    (row: Row, c: GridColumn) => <ChangedCell mark={table.changed(row, c.path)}>{cellContent(row, c)}</ChangedCell>,
    [table.changed, workspace, name],
  );
  const cellContent = (row: Row, c: GridColumn) => {
      const v = row[c.path];
      if (c.path === "sys/id" && typeof v === "string") {
        return (
          <a href={formatHash(["p", workspace, name, "runs", v])} data-testid="run-link">
            {v}
          </a>
        );
      }
      if (c.path === "sys/state") return <RunStateBadge state={v} failed={row["sys/failed"]} />;
      if (c.path === "sys/failed" && v === true) return <RunStateBadge state={null} failed />;
      return <CellValue value={v} type={c.type} path={c.path} />;
  };

  const onSort = (p: string) => {
    if (state.sort === p) update({ ascending: !state.ascending });
    else {
      const t = types[p];
      const textual = t === "string" || t === "string_set" || p === "sys/id" || p === "sys/name";
      update({ sort: p, ascending: textual });
    }
  };

  const ids = [...sel.selected];
  const act = async (label: string, fn: () => Promise<void>, reload: boolean) => {
    setBusy(label);
    setActionError(null);
    try {
      await fn();
      if (reload) table.reload();
    } catch (e) {
      setActionError(`${label} failed: ${(e as Error).message}`);
    } finally {
      setBusy(null);
    }
  };

  const editTags = (add: boolean) => {
    const tags = tagText
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    if (!tags.length) {
      setActionError("Type a tag first (several: separate them with commas).");
      return;
    }
    const chosen = new Set(ids);
    act(
      add ? "Adding tags" : "Removing tags",
      async () => {
        await setTags(project, ids, tags, add);
        // Shown at once in the rows held; the filter may now exclude some, so fetch again too.
        table.patch(
          (r) => chosen.has(String(r["sys/id"])),
          (r) => {
            const now = new Set(Array.isArray(r["sys/tags"]) ? (r["sys/tags"] as string[]) : []);
            for (const t of tags) {
              if (add) now.add(t);
              else now.delete(t);
            }
            return { ...r, "sys/tags": [...now].sort() };
          },
        );
        setTagText("");
      },
      true,
    );
  };

  const loadView = (view: string, q: string) => {
    const s = decodeState(new URLSearchParams(q), DEFAULT_RUN_COLUMNS);
    navigate(path, encodeState({ ...s, view }, DEFAULT_RUN_COLUMNS));
  };

  const total = table.total;
  return (
    <div className="table-page" data-testid="runs-page">
      <div className="toolbar">
        <NqlBox
          value={state.filter}
          fields={fields ?? []}
          valuesFor={valuesFor}
          error={nqlError}
          onApply={(text) => update({ filter: text }, true)}
        />
      </div>
      <div className="toolbar">
        <div className="quick" data-testid="quick-filters">
          <label>
            Tag
            <input
              data-testid="quick-tag"
              list="known-tags"
              defaultValue={state.tag}
              key={"tag" + state.tag}
              placeholder="any"
              onKeyDown={(e) => {
                if (e.key === "Enter") update({ tag: e.currentTarget.value.trim() }, true);
              }}
              onBlur={(e) => e.currentTarget.value.trim() !== state.tag && update({ tag: e.currentTarget.value.trim() }, true)}
            />
            <datalist id="known-tags">
              {seenValues(table.held(), "sys/tags", 50).map((t) => (
                <option key={t} value={t} />
              ))}
            </datalist>
          </label>
          <label>
            State
            <select data-testid="quick-state" value={state.state} onChange={(e) => update({ state: e.target.value }, true)}>
              <option value="">any</option>
              <option value="running">running</option>
              <option value="idle">idle</option>
            </select>
          </label>
          <label>
            Owner
            <input
              data-testid="quick-owner"
              defaultValue={state.owner}
              key={"owner" + state.owner}
              placeholder="anyone"
              onKeyDown={(e) => {
                if (e.key === "Enter") update({ owner: e.currentTarget.value.trim() }, true);
              }}
              onBlur={(e) => e.currentTarget.value.trim() !== state.owner && update({ owner: e.currentTarget.value.trim() }, true)}
            />
          </label>
          <label className="toggle">
            <input
              type="checkbox"
              data-testid="trashed-toggle"
              checked={state.trashed}
              onChange={(e) => {
                sel.clear();
                update({ trashed: e.target.checked }, true);
              }}
            />
            Trash
          </label>
        </div>
        <span className="total" data-testid="runs-total">
          {total === null ? "…" : `${total.toLocaleString()} ${state.trashed ? "trashed " : ""}run${total === 1 ? "" : "s"}`}
          {table.loading && <span className="spinner" aria-label="loading" />}
        </span>
        {!state.groups.length && (
          <label className="toggle live-toggle" title="Fetch the rows on screen again every few seconds and mark what changed">
            <input type="checkbox" data-testid="live-toggle" checked={live} onChange={(e) => setLive(e.target.checked)} />
            Live
          </label>
        )}
        <div className="spacer" />
        <SavedViews project={project} page="runs" current={state.view} query={viewQuery(state, DEFAULT_RUN_COLUMNS)} onLoad={loadView} />
        <CsvDownload
          project={project}
          kind="run"
          request={{ ...request, columns: state.columns }}
          filename={`${workspace}-${name}-runs.csv`}
        />
        <GroupChooser fields={fields} groups={state.groups} onChange={(groups) => update({ groups }, true)} />
        <ColumnChooser
          fields={fields}
          fieldsError={fieldsError}
          columns={state.columns}
          onChange={(cols) => update({ columns: cols.includes("sys/id") ? cols : ["sys/id", ...cols] })}
        />
      </div>
      {sel.selected.size > 0 && (
        <div className="toolbar selection" data-testid="selection-bar">
          <strong data-testid="selected-count">{sel.selected.size} selected</strong>
          {!state.trashed && (
            <>
              <input
                data-testid="tag-input"
                placeholder="tag, another"
                value={tagText}
                onChange={(e) => setTagText(e.target.value)}
                onKeyDown={(e) => e.key === "Enter" && editTags(true)}
              />
              <button type="button" data-testid="tag-add" disabled={!!busy} onClick={() => editTags(true)}>
                Add tag
              </button>
              <button type="button" data-testid="tag-remove" disabled={!!busy} onClick={() => editTags(false)}>
                Remove tag
              </button>
            </>
          )}
          {state.trashed ? (
            <button
              type="button"
              data-testid="restore-button"
              disabled={!!busy}
              onClick={() => act("Restoring", () => setTrashed(project, ids, false).then(sel.clear), true)}
            >
              Restore
            </button>
          ) : (
            <button
              type="button"
              data-testid="trash-button"
              className="danger"
              disabled={!!busy}
              onClick={() => act("Moving to the trash", () => setTrashed(project, ids, true).then(sel.clear), true)}
            >
              Trash
            </button>
          )}
          {sel.selected.size >= 2 && (
            <button
              type="button"
              data-testid="compare-button"
              onClick={() => navigate(["p", workspace, name, "compare"], { runs: ids.join(",") })}
            >
              Compare {sel.selected.size}
            </button>
          )}
          <button type="button" data-testid="selection-clear" onClick={sel.clear}>
            Clear selection
          </button>
          {busy && <span className="muted">{busy}…</span>}
        </div>
      )}
      {actionError && (
        <div className="banner error" data-testid="action-error" role="alert">
          {actionError}
        </div>
      )}
      {otherError && (
        <div className="banner error" data-testid="table-error" role="alert">
          {otherError}
        </div>
      )}
      {state.groups.length > 0 ? (
        <GroupsTable
          project={project}
          filter={filter.text}
          trashed={state.trashed}
          groupBy={state.groups}
          columns={state.columns}
          types={types}
          aggregate={state.groupAggregate}
          onAggregate={(groupAggregate) => update({ groupAggregate })}
        />
      ) : (
      <VirtualGrid<Row>
        testId="runs-grid"
        columns={columns}
        rowCount={total ?? 0}
        getRow={table.get}
        onRange={table.ensure}
        renderCell={renderCell}
        version={table.version}
        stale={table.stale}
        sort={{ path: state.sort, ascending: state.ascending }}
        onSort={onSort}
        onResize={(p, w) => update({ widths: { ...state.widths, [p]: w } })}
        onReorder={(cols) => update({ columns: cols })}
        onRemove={(p) => update({ columns: state.columns.filter((c) => c !== p) })}
        selection={sel.grid}
        cursor={cursor}
        emptyText={total === 0 ? (state.trashed ? "The trash is empty." : "No runs match.") : null}
      />
      )}
    </div>
  );
}
