// The project's own metadata: the fields of its project container (project["..."] = ...),
// and its files previewed and downloadable as a run's are.
import { useEffect, useState } from "react";
import { ApiError } from "../api/client";
import { containerBySysId, containerFields, type FieldValue } from "../api/fields";
import { getProject, type ProjectInfo } from "../api/projects";
import type { ProjectRef } from "../api/types";
import { ContainerFiles, FILE_TYPES } from "../components/files/ContainerFiles";
import { FieldsTable } from "../components/grid/FieldsTable";
import { formatDatetime } from "../lib/format";
import { projectName, useTitle } from "../lib/title";

export function ProjectMetadataPage({ project }: { project: ProjectRef }) {
  useTitle("project", projectName(project));
  const { workspace, name } = project;
  const [info, setInfo] = useState<ProjectInfo | null>(null);
  const [fields, setFields] = useState<FieldValue[] | null>(null);
  const [uuid, setUuid] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const c = new AbortController();
    setError(null);
    setFields(null);
    setUuid(null);
    getProject({ workspace, name }, c.signal)
      .then(async (p) => {
        setInfo(p);
        try {
          const container = await containerBySysId({ workspace, name }, p.key, c.signal, "project");
          setFields(await containerFields(container.uuid, "", c.signal));
          setUuid(container.uuid);
        } catch (e) {
          // A project nobody wrote metadata to has no project container yet.
          if (e instanceof ApiError && e.status === 404) setFields([]);
          else throw e;
        }
      })
      .catch((e: Error) => !c.signal.aborted && setError(e.message));
    return () => c.abort();
  }, [workspace, name]);

  return (
    <div className="scroll-page" data-testid="project-metadata-page">
      <h1>
        {workspace} / {name}
      </h1>
      {info && (
        <p className="muted" data-testid="project-info">
          key {info.key} · created {formatDatetime(info.created)}
          {info.role ? ` · your role: ${info.role}` : ""}
        </p>
      )}
      {error && (
        <div className="banner error" role="alert" data-testid="project-error">
          {error}
        </div>
      )}
      <h2>Metadata</h2>
      {fields === null && !error && <p className="muted">Loading…</p>}
      {fields && fields.length === 0 && (
        <p className="muted" data-testid="project-empty">
          No project metadata yet: write some with <code>project = despina.init_project(...)</code> and{" "}
          <code>project["key"] = value</code>.
        </p>
      )}
      {fields && fields.length > 0 && <FieldsTable fields={fields} testId="project-fields" />}
      {fields && uuid && fields.some((f) => FILE_TYPES.has(f.type)) && (
        <>
          <h2>Files</h2>
          <ContainerFiles uuid={uuid} fields={fields} testId="project-files" />
        </>
      )}
    </div>
  );
}
