// The models table of a project: the same virtual grid as the runs, with an NQL filter,
// sorting, columns and saved views; a model's id opens its page with the versions.
import { useCallback, useMemo } from "react";
import { queryError } from "../api/tables";
import type { PageProps } from "../api/types";
import { CellValue } from "../components/grid/Cell";
import { ColumnChooser } from "../components/grid/ColumnChooser";
import { defaultWidth } from "../components/grid/layout";
import { SavedViews } from "../components/grid/SavedViews";
import { seenValues, useProjectFields } from "../components/grid/useProjectFields";
import { useTableRows, type Row } from "../components/grid/useTableRows";
import { useViewState } from "../components/grid/useViewState";
import { VirtualGrid, type GridColumn } from "../components/grid/VirtualGrid";
import { NqlBox } from "../components/nql/NqlBox";
import { formatHash, navigate } from "../lib/router";
import { DEFAULT_MODEL_COLUMNS, decodeState, encodeState, viewQuery } from "../lib/urlstate";
import { projectName, useTitle } from "../lib/title";

export function ModelsPage({ project, query }: PageProps) {
  useTitle("models", projectName(project));
  const { workspace, name } = project;
  const path = useMemo(() => ["p", workspace, name, "models"], [workspace, name]);
  const [state, update] = useViewState(path, query, DEFAULT_MODEL_COLUMNS);
  const request = useMemo(
    () => ({
      filter: state.filter.trim() || undefined,
      columns: state.columns,
      sort_by: state.sort,
      ascending: state.ascending,
      trashed: state.trashed,
    }),
    [state.filter, state.columns.join("\u0000"), state.sort, state.ascending, state.trashed],
  );
  const table = useTableRows(project, "model", request);
  const { fields, error: fieldsError } = useProjectFields(workspace, name, "model");
  const qerr = queryError(table.error);
  const types = useMemo(() => {
    const t: Record<string, string> = {};
    for (const f of fields ?? []) t[f.path] = f.type;
    return { ...t, ...table.types };
  }, [fields, table.types]);
  const columns: GridColumn[] = state.columns.map((p) => ({ path: p, type: types[p], width: state.widths[p] ?? defaultWidth(p, types[p]) }));
  const valuesFor = useCallback((p: string) => seenValues(table.held(), p), [table.version]);

  const renderCell = useCallback(
    (row: Row, c: GridColumn) => {
      const v = row[c.path];
      if (c.path === "sys/id" && typeof v === "string")
        return (
          <a href={formatHash(["p", workspace, name, "models", v])} data-testid="model-link">
            {v}
          </a>
        );
      return <CellValue value={v} type={c.type} path={c.path} />;
    },
    [workspace, name],
  );

  const total = table.total;
  return (
    <div className="table-page" data-testid="models-page">
      <div className="toolbar">
        <NqlBox value={state.filter} fields={fields ?? []} valuesFor={valuesFor} error={qerr} onApply={(text) => update({ filter: text }, true)} />
      </div>
      <div className="toolbar">
        <span className="total" data-testid="models-total">
          {total === null ? "…" : `${total.toLocaleString()} model${total === 1 ? "" : "s"}`}
          {table.loading && <span className="spinner" aria-label="loading" />}
        </span>
        <div className="spacer" />
        <SavedViews
          project={project}
          page="models"
          current={state.view}
          query={viewQuery(state, DEFAULT_MODEL_COLUMNS)}
          onLoad={(view, q) => navigate(path, encodeState({ ...decodeState(new URLSearchParams(q), DEFAULT_MODEL_COLUMNS), view }, DEFAULT_MODEL_COLUMNS))}
        />
        <ColumnChooser
          fields={fields}
          fieldsError={fieldsError}
          columns={state.columns}
          onChange={(cols) => update({ columns: cols.includes("sys/id") ? cols : ["sys/id", ...cols] })}
        />
      </div>
      {table.error && !qerr ? (
        <div className="banner error" role="alert" data-testid="table-error">
          {(table.error as Error).message}
        </div>
      ) : null}
      <VirtualGrid<Row>
        testId="models-grid"
        columns={columns}
        rowCount={total ?? 0}
        getRow={table.get}
        onRange={table.ensure}
        renderCell={renderCell}
        version={table.version}
        stale={table.stale}
        sort={{ path: state.sort, ascending: state.ascending }}
        onSort={(p) => (state.sort === p ? update({ ascending: !state.ascending }) : update({ sort: p, ascending: p === "sys/id" || p === "sys/name" }))}
        onResize={(p, w) => update({ widths: { ...state.widths, [p]: w } })}
        onReorder={(cols) => update({ columns: cols })}
        onRemove={(p) => update({ columns: state.columns.filter((c) => c !== p) })}
        emptyText={total === 0 ? "No models match. Register one with despina.init_model(key=...)." : null}
      />
    </div>
  );
}
