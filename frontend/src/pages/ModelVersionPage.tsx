// One model version: its id and name, its model (a link back), its stage, its fields and its
// files (previewed and downloadable as a run's).
import { useEffect, useState } from "react";
import { containerBySysId, containerFields, type FieldValue } from "../api/fields";
import type { ProjectRef } from "../api/types";
import { ContainerFiles } from "../components/files/ContainerFiles";
import { FieldsTable } from "../components/grid/FieldsTable";
import { formatHash } from "../lib/router";
import { projectName, useTitle } from "../lib/title";

/** The hash of a model version's page. */
export function versionHash(project: ProjectRef, modelId: string, versionId: string): string {
  return formatHash(["p", project.workspace, project.name, "models", modelId, "versions", versionId]);
}

export function ModelVersionPage({ project, modelId, versionId }: { project: ProjectRef; modelId: string; versionId: string }) {
  const { workspace, name } = project;
  useTitle(`model version ${versionId}`, projectName(project));
  const [fields, setFields] = useState<FieldValue[] | null>(null);
  const [uuid, setUuid] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const c = new AbortController();
    setFields(null);
    setUuid(null);
    setError(null);
    containerBySysId({ workspace, name }, versionId, c.signal, "model_version")
      .then(async (info) => {
        if (info.model_id && info.model_id !== modelId)
          throw new Error(`${versionId} is a version of ${info.model_id}, not of ${modelId}`);
        const f = await containerFields(info.uuid, "", c.signal);
        setUuid(info.uuid);
        setFields(f);
      })
      .catch((e: Error) => !c.signal.aborted && setError(e.message));
    return () => c.abort();
  }, [workspace, name, modelId, versionId]);

  const value = (p: string) => fields?.find((f) => f.path === p)?.value;
  const versionName = value("sys/name");
  const stage = value("sys/stage");
  return (
    <div className="scroll-page" data-testid="model-version-page">
      <p>
        <a href={formatHash(["p", workspace, name, "models", modelId])} data-testid="version-model-link">
          ← {modelId}
        </a>
      </p>
      <h1>
        <span data-testid="version-id">{versionId}</span>
        {typeof versionName === "string" && versionName !== "" && (
          <span className="muted" data-testid="version-name">
            {" "}
            {versionName}
          </span>
        )}
      </h1>
      {typeof stage === "string" && (
        <p>
          stage <span className={`stage stage-${stage}`} data-testid="version-stage">{stage}</span>
        </p>
      )}
      {error && (
        <div className="banner error" role="alert" data-testid="version-error">
          {error}
        </div>
      )}
      {fields === null && !error && <p className="muted">Loading…</p>}
      {fields && <FieldsTable fields={fields} testId="version-fields" />}
      {fields && uuid && <ContainerFiles uuid={uuid} fields={fields} testId="version-files" />}
    </div>
  );
}
