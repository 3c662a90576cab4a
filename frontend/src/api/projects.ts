// Projects and the field list of a project's containers (a container's own fields: fields.ts).
import { getJSON } from "./client";
import { projectPath } from "./tables";
import type { ProjectRef } from "./types";

export interface ProjectInfo {
  id: number;
  workspace: string;
  name: string;
  key: string;
  created: number;
  qualified_name: string;
  role?: string;
}

export interface FieldInfo {
  path: string;
  type: string;
}

export function listProjects(signal?: AbortSignal): Promise<ProjectInfo[]> {
  return getJSON<ProjectInfo[]>("/projects", signal);
}

export function getProject(p: ProjectRef, signal?: AbortSignal): Promise<ProjectInfo> {
  return getJSON<ProjectInfo>(projectPath(p), signal);
}

/** Every distinct field path and type of the project's containers of one kind. */
export async function projectFields(p: ProjectRef, kind: string, signal?: AbortSignal): Promise<FieldInfo[]> {
  const answer = await getJSON<{ fields: FieldInfo[] }>(`${projectPath(p)}/fields?kind=${encodeURIComponent(kind)}`, signal);
  return answer.fields;
}

/** Projects grouped by workspace, both sorted by name. */
export function byWorkspace(projects: ProjectInfo[]): [string, ProjectInfo[]][] {
  const groups = new Map<string, ProjectInfo[]>();
  for (const p of projects) {
    const list = groups.get(p.workspace) ?? [];
    list.push(p);
    groups.set(p.workspace, list);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([ws, list]) => [ws, list.sort((a, b) => a.name.localeCompare(b.name))]);
}
