// Saved views of a project: a name and an opaque state (the app keeps the URL query string).
import { getJSON, request, sendJSON } from "./client";
import { projectPath } from "./tables";
import type { ProjectRef } from "./types";

export interface SavedView {
  name: string;
  state: { query?: string; page?: string; [key: string]: unknown };
}

/** Why a view name cannot be used (the server's rule), or null when it can. */
export function viewNameProblem(name: string): string | null {
  if (!name.trim()) return "Give the view a name first.";
  if (name.length > 200) return "A view name has at most 200 characters.";
  if (/[/\\\x00-\x1f\x7f]/.test(name)) return "A view name cannot contain '/', '\\' or control characters.";
  return null;
}

export async function listViews(p: ProjectRef, signal?: AbortSignal): Promise<SavedView[]> {
  const answer = await getJSON<{ views: SavedView[] }>(`${projectPath(p)}/views`, signal);
  return answer.views;
}

export function saveView(p: ProjectRef, name: string, state: SavedView["state"]): Promise<unknown> {
  return sendJSON("PUT", `${projectPath(p)}/views/${encodeURIComponent(name)}`, { state });
}

export async function deleteView(p: ProjectRef, name: string): Promise<void> {
  await request(`${projectPath(p)}/views/${encodeURIComponent(name)}`, { method: "DELETE" });
}
