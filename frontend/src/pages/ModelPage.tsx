// One model: its fields, and its versions with their stages; a version's id opens its page.
// Changing a stage writes a change_stage operation and shows the new stage at once.
import { useCallback, useEffect, useMemo, useState } from "react";
import { changeStage, STAGES } from "../api/operations";
import { containerBySysId, containerFields, type FieldValue } from "../api/fields";
import type { ProjectRef } from "../api/types";
import { CellValue } from "../components/grid/Cell";
import { FieldsTable } from "../components/grid/FieldsTable";
import { defaultWidth } from "../components/grid/layout";
import { useTableRows, type Row } from "../components/grid/useTableRows";
import { VirtualGrid, type GridColumn } from "../components/grid/VirtualGrid";
import { formatHash } from "../lib/router";
import { projectName, useTitle } from "../lib/title";
import { versionHash } from "./ModelVersionPage";

const VERSION_COLUMNS = ["sys/id", "sys/stage", "sys/name", "sys/owner", "sys/creation_time", "sys/modification_time", "sys/tags"];

export function ModelPage({ project, sysId }: { project: ProjectRef; sysId: string; query?: URLSearchParams }) {
  useTitle(`model ${sysId}`, projectName(project));
  const { workspace, name } = project;
  const [fields, setFields] = useState<FieldValue[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [stageError, setStageError] = useState<string | null>(null);
  const [sort, setSort] = useState({ path: "sys/creation_time", ascending: false });

  useEffect(() => {
    const c = new AbortController();
    setFields(null);
    setError(null);
    containerBySysId({ workspace, name }, sysId, c.signal, "model")
      .then((info) => containerFields(info.uuid, "", c.signal))
      .then(setFields)
      .catch((e: Error) => !c.signal.aborted && setError(e.message));
    return () => c.abort();
  }, [workspace, name, sysId]);

  const request = useMemo(
    () => ({ model_id: sysId, columns: VERSION_COLUMNS, sort_by: sort.path, ascending: sort.ascending, trashed: false }),
    [sysId, sort.path, sort.ascending],
  );
  const versions = useTableRows(project, "model_version", request);

  const setStage = useCallback(
    async (versionId: string, stage: string, before: unknown) => {
      setStageError(null);
      const mine = (r: Row) => r["sys/id"] === versionId;
      versions.patch(mine, (r) => ({ ...r, "sys/stage": stage }));
      try {
        await changeStage({ workspace, name }, versionId, stage);
      } catch (e) {
        versions.patch(mine, (r) => ({ ...r, "sys/stage": before }));
        setStageError(`The stage of ${versionId} could not be changed: ${(e as Error).message}`);
      }
    },
    [versions.patch, workspace, name],
  );

  const renderCell = (row: Row, c: GridColumn) => {
    const v = row[c.path];
    if (c.path === "sys/stage") {
      const id = String(row["sys/id"]);
      return (
        <select
          className={`stage stage-${String(v)}`}
          value={String(v ?? "none")}
          data-testid="stage-select"
          data-version={id}
          aria-label={`stage of ${id}`}
          onChange={(e) => setStage(id, e.target.value, v)}
        >
          {STAGES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      );
    }
    if (c.path === "sys/id" && typeof v === "string")
      return (
        <a href={versionHash(project, sysId, v)} data-testid="version-link">
          {v}
        </a>
      );
    return <CellValue value={v} type={versions.types[c.path]} path={c.path} />;
  };
  const modelName = fields?.find((f) => f.path === "sys/name")?.value;

  const columns: GridColumn[] = VERSION_COLUMNS.map((p) => ({
    path: p,
    type: versions.types[p],
    width: p === "sys/stage" ? 130 : defaultWidth(p, versions.types[p]),
  }));

  return (
    <div className="table-page" data-testid="model-page">
      <div className="toolbar">
        <a href={formatHash(["p", workspace, name, "models"])}>← Models</a>
        <strong data-testid="model-id">{sysId}</strong>
        {typeof modelName === "string" && modelName !== "" && (
          <span className="muted" data-testid="model-name">
            {modelName}
          </span>
        )}
        <span className="total" data-testid="versions-total">
          {versions.total === null ? "…" : `${versions.total.toLocaleString()} version${versions.total === 1 ? "" : "s"}`}
        </span>
      </div>
      {error && (
        <div className="banner error" role="alert" data-testid="model-error">
          {error}
        </div>
      )}
      {stageError && (
        <div className="banner error" role="alert" data-testid="stage-error">
          {stageError}
        </div>
      )}
      <div className="model-split">
        <section className="model-fields" data-testid="model-fields">
          <h2>Fields</h2>
          {fields ? <FieldsTable fields={fields} /> : !error && <p className="muted">Loading…</p>}
        </section>
        <section className="model-versions">
          <h2>Versions</h2>
          <VirtualGrid<Row>
            testId="versions-grid"
            columns={columns}
            rowCount={versions.total ?? 0}
            getRow={versions.get}
            onRange={versions.ensure}
            renderCell={renderCell}
            version={versions.version}
            stale={versions.stale}
            sort={sort}
            onSort={(p) => setSort((s) => (s.path === p ? { ...s, ascending: !s.ascending } : { path: p, ascending: false }))}
            emptyText={versions.total === 0 ? "No versions yet: make one with init_model_version(model=...)." : null}
          />
        </section>
      </div>
    </div>
  );
}
