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

/** Rows a request of `fetchAllRows` asks for at a time. */
export const EXPORT_PAGE = 1000;

/**
 * Every row matching a request (all pages, `limit` rows at a time through the tables
 * route), in the request's order; `onProgress(done, total)` after each page. Rows as objects
 * keyed by column, with the columns and types of the answers.
 */
export async function fetchAllRows(
  project: ProjectRef,
  kind: TableKind,
  body: Omit<TableRequest, "limit" | "offset">,
  onProgress?: (done: number, total: number | null) => void,
  signal?: AbortSignal,
  limit = EXPORT_PAGE,
): Promise<{ columns: string[]; types: Record<string, string>; rows: Record<string, unknown>[] }> {
  const rows: Record<string, unknown>[] = [];
  let columns: string[] = [];
  const types: Record<string, string> = {};
  for (let offset = 0; ; offset += limit) {
    const answer = await fetchTable(project, kind, { ...body, limit, offset }, signal);
    columns = answer.columns;
    Object.assign(types, answer.types);
    for (const values of answer.rows) {
      const r: Record<string, unknown> = {};
      answer.columns.forEach((c, i) => (r[c] = values[i]));
      rows.push(r);
    }
    const total = typeof answer.total === "number" ? answer.total : null;
    onProgress?.(rows.length, total);
    if (answer.rows.length < limit || (total !== null && rows.length >= total)) break;
  }
  return { columns, types, rows };
}
