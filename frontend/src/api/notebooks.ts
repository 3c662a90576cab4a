// A project's notebooks and their checkpoints (GET projects/{ws}/{name}/notebooks/...).
import { getJSON, request } from "./client";
import { projectPath } from "./tables";
import type { ProjectRef } from "./types";

export interface Checkpoint {
  id: number;
  notebook_id: number;
  notebook_path: string;
  name: string;
  description: string;
  sha256: string;
  size: number;
  kernel: string | null;
  /** epoch seconds */
  created: number;
  created_by: string;
}

export interface NotebookInfo {
  id: number;
  path: string;
  name: string;
  created: number;
  updated: number;
  created_by: string;
  checkpoints: number;
  latest: Checkpoint | null;
}

export type CellStatus = "same" | "changed" | "added" | "removed";

export interface CellDiff {
  status: CellStatus;
  a_index: number | null;
  b_index: number | null;
  cell_type: string;
  source_a: string | null;
  source_b: string | null;
  outputs_changed: boolean;
}

export interface NotebookDiff {
  a: Checkpoint;
  b: Checkpoint;
  cells: CellDiff[];
}

const base = (p: ProjectRef) => `${projectPath(p)}/notebooks`;

export async function listNotebooks(p: ProjectRef, signal?: AbortSignal): Promise<NotebookInfo[]> {
  return (await getJSON<{ notebooks: NotebookInfo[] }>(base(p), signal)).notebooks;
}

export function getNotebook(p: ProjectRef, id: number, signal?: AbortSignal): Promise<{ notebook: NotebookInfo; checkpoints: Checkpoint[] }> {
  return getJSON(`${base(p)}/${id}`, signal);
}

export function getCheckpoint(p: ProjectRef, notebookId: number, id: number, signal?: AbortSignal): Promise<Checkpoint> {
  return getJSON(`${base(p)}/${notebookId}/checkpoints/${id}`, signal);
}

/** A checkpoint's .ipynb bytes, exactly as uploaded. */
export async function checkpointContent(p: ProjectRef, notebookId: number, id: number, signal?: AbortSignal): Promise<ArrayBuffer> {
  const res = await request(`${base(p)}/${notebookId}/checkpoints/${id}/content`, { signal });
  return res.arrayBuffer();
}

export function diffCheckpoints(p: ProjectRef, notebookId: number, a: number, b: number, signal?: AbortSignal): Promise<NotebookDiff> {
  return getJSON(`${base(p)}/${notebookId}/diff?a=${a}&b=${b}`, signal);
}

/** The file name a download of a checkpoint gets: the notebook's own, as the server names it. */
export function checkpointFilename(c: Pick<Checkpoint, "notebook_path">): string {
  return c.notebook_path.replace(/\\/g, "/").split("/").pop() || "notebook.ipynb";
}
