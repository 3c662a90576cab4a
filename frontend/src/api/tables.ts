// Table rows of runs, models and model versions (POST projects/{ws}/{name}/tables/{kind}).
import { ApiError, sendJSON } from "./client";
import type { ProjectRef } from "./types";

export type TableKind = "run" | "model" | "model_version";

export interface TableRequest {
  filter?: string;
  columns?: (string | { regex: string })[];
  sort_by?: string;
  ascending?: boolean;
  limit?: number;
  offset?: number;
  trashed?: boolean | null;
  model_id?: string;
}

export interface TableAnswer {
  columns: string[];
  types: Record<string, string>;
  rows: unknown[][];
  /** Rows matching the filter, ignoring limit and offset. */
  total?: number;
}

export function projectPath(p: ProjectRef): string {
  return `/projects/${encodeURIComponent(p.workspace)}/${encodeURIComponent(p.name)}`;
}

export function fetchTable(
  project: ProjectRef,
  kind: TableKind,
  body: TableRequest,
  signal?: AbortSignal,
): Promise<TableAnswer> {
  return sendJSON<TableAnswer>("POST", `${projectPath(project)}/tables/${kind}`, body, signal);
}

/** A query the server could not parse: the message and the 0-based position in the text. */
export interface QueryError {
  message: string;
  position: number | null;
}

/** A table error as a QueryError when it is one (400 naming a position), else null. */
export function queryError(e: unknown): QueryError | null {
  if (!(e instanceof ApiError) || e.status !== 400) return null;
  // The server names the position in the body; older servers only in the message.
  const given = e.body?.position;
  const m = /\(at position (\d+)\)/.exec(e.message);
  const position = typeof given === "number" ? given : m ? Number(m[1]) : null;
  const firstLine = e.message.split("\n")[0];
  return { message: firstLine, position };
}
