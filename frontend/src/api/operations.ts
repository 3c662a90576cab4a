// Writes from the app: operations on a container (tags, stage), and the trash. Both name
// containers by uuid; the tables give sys ids, so ids are looked up once and remembered.
import { sendJSON } from "./client";
import { containerBySysId } from "./fields";
import type { ProjectRef } from "./types";

export type JsonOperation =
  | { op: "add_strings" | "remove_strings"; path: string; values: string[] }
  | { op: "assign"; path: string; type?: string; value: unknown }
  | { op: "change_stage"; stage: string };

export const STAGES = ["none", "staging", "production", "archived"] as const;

export async function applyOperations(uuid: string, operations: JsonOperation[]): Promise<number> {
  const answer = await sendJSON<{ applied: number }>("POST", `/containers/${encodeURIComponent(uuid)}/operations`, {
    operations,
  });
  return answer?.applied ?? 0;
}

const uuids = new Map<string, string>();

function key(p: ProjectRef, sysId: string): string {
  return `${p.workspace}/${p.name}\u0000${sysId}`;
}

/** The uuids of containers named by sys id, in the same order (8 look-ups at a time). */
export async function resolveUuids(p: ProjectRef, sysIds: string[], kind?: string): Promise<string[]> {
  const out: string[] = new Array(sysIds.length);
  let next = 0;
  async function worker() {
    while (next < sysIds.length) {
      const i = next++;
      const k = key(p, sysIds[i]);
      let u = uuids.get(k);
      if (!u) {
        u = (await containerBySysId(p, sysIds[i], undefined, kind)).uuid;
        uuids.set(k, u);
      }
      out[i] = u;
    }
  }
  await Promise.all(Array.from({ length: Math.min(8, sysIds.length) }, worker));
  return out;
}

/** Runs one call per container, 8 at a time; resolves when all are done. */
export async function forEachContainer(
  p: ProjectRef,
  sysIds: string[],
  fn: (uuid: string) => Promise<unknown>,
  kind?: string,
): Promise<void> {
  const list = await resolveUuids(p, sysIds, kind);
  let next = 0;
  async function worker() {
    while (next < list.length) await fn(list[next++]);
  }
  await Promise.all(Array.from({ length: Math.min(8, list.length) }, worker));
}

export async function setTags(p: ProjectRef, sysIds: string[], tags: string[], add: boolean): Promise<void> {
  const op = add ? "add_strings" : "remove_strings";
  await forEachContainer(p, sysIds, (u) => applyOperations(u, [{ op, path: "sys/tags", values: tags }]), "run");
}

export async function setTrashed(p: ProjectRef, sysIds: string[], trashed: boolean, kind = "run"): Promise<void> {
  const list = await resolveUuids(p, sysIds, kind);
  for (let i = 0; i < list.length; i += 500) {
    await sendJSON("POST", "/trash", { uuids: list.slice(i, i + 500), trashed });
  }
}

export async function changeStage(p: ProjectRef, versionId: string, stage: string): Promise<void> {
  const [u] = await resolveUuids(p, [versionId], "model_version");
  await applyOperations(u, [{ op: "change_stage", stage }]);
}
