// Reading one container and a project's field list: by-id lookup, structure, field values,
// the files of a file set or artifact, and string/file series points (paged).
import type { ProjectRef } from "./types";
import { getJSON } from "./client";

export interface ContainerInfo {
  uuid: string;
  sys_id: string;
  kind: string;
  project: string;
  project_key: string;
  created: number;
  custom_run_id: string | null;
  model_id: string | null;
}

/** One field as the server sends it; `value`'s shape depends on `type` (despina/wire.py). */
export interface FieldValue {
  path: string;
  type: string;
  value: unknown;
}

export interface SeriesSummary {
  count: number;
  last_step: number | null;
  last_value: unknown;
  last_timestamp: number | null;
  min: number | string | null;
  max: number | string | null;
  sum: number | string | null;
  sum_sq: number | string | null;
  nan_count: number;
  pos_inf_count: number;
  neg_inf_count: number;
}

export interface FileRef {
  hash: string;
  size: number;
  extension: string;
}

export interface SeriesFile {
  file: FileRef;
  name: string;
  description: string;
}

export interface FileEntry {
  path: string;
  hash: string;
  size: number;
  mtime: number;
  location: string;
}

export interface ObjectPoints<T> {
  steps: (number | string)[];
  values: T[];
  timestamps: (number | string)[];
}

/** A field path inside a URL: each segment encoded, the slashes kept. */
export function pathInUrl(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

function projectName(p: ProjectRef): string {
  return `${p.workspace}/${p.name}`;
}

/** A run, model, model version or project container by its id; `kind` narrows the search. */
export function containerBySysId(
  project: ProjectRef,
  sysId: string,
  signal?: AbortSignal,
  kind?: string,
): Promise<ContainerInfo> {
  const q = new URLSearchParams({ project: projectName(project) });
  if (kind) q.set("kind", kind);
  return getJSON(`/containers/by-id/${encodeURIComponent(sysId)}?${q}`, signal);
}

export function containerStructure(uuid: string, signal?: AbortSignal): Promise<Record<string, string>> {
  return getJSON(`/containers/${encodeURIComponent(uuid)}/structure`, signal);
}

export function containerFields(uuid: string, prefix = "", signal?: AbortSignal): Promise<FieldValue[]> {
  const q = prefix ? `?${new URLSearchParams({ prefix })}` : "";
  return getJSON(`/containers/${encodeURIComponent(uuid)}/fields${q}`, signal);
}

export function containerField(uuid: string, path: string, signal?: AbortSignal): Promise<FieldValue | null> {
  return getJSON(`/containers/${encodeURIComponent(uuid)}/field/${pathInUrl(path)}`, signal);
}

export function fileEntries(uuid: string, path: string, signal?: AbortSignal): Promise<FileEntry[]> {
  return getJSON(`/containers/${encodeURIComponent(uuid)}/files/${pathInUrl(path)}`, signal);
}

/** Points `offset .. offset+limit` of a string or file series. */
export function objectPoints<T = string>(
  uuid: string,
  path: string,
  offset: number,
  limit: number,
  signal?: AbortSignal,
): Promise<ObjectPoints<T>> {
  const q = new URLSearchParams({ offset: String(offset), limit: String(limit) });
  return getJSON(`/containers/${encodeURIComponent(uuid)}/objects/${pathInUrl(path)}?${q}`, signal);
}

/** A page of the points of a string series that contain a text (the search route). */
export interface PointMatches {
  /** Each point's position in the series (0 for its first point). */
  indexes: number[];
  steps: (number | string)[];
  values: string[];
  timestamps: (number | string)[];
  /** How many points match in the whole series, whatever the page. */
  total: number;
}

/** The server's longest search text. */
export const MAX_SEARCH_TEXT = 1000;

/** Matches `offset .. offset+limit` of the points of a string series containing `text`:
 * case-insensitive for A-Z only, every other character literal (despina/store/search.py). */
export function searchPoints(
  uuid: string,
  path: string,
  text: string,
  offset: number,
  limit: number,
  signal?: AbortSignal,
): Promise<PointMatches> {
  const q = new URLSearchParams({ text, offset: String(offset), limit: String(limit) });
  return getJSON(`/containers/${encodeURIComponent(uuid)}/search/${pathInUrl(path)}?${q}`, signal);
}
