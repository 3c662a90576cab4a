// The run page's data: the container (found by its sys id) and every field's value, polled
// every 2.5 s while the run is running and live mode is on.
import { useEffect, useState } from "react";
import type { ProjectRef } from "../../api/types";
import { containerBySysId, containerFields, type ContainerInfo, type FieldValue } from "../../api/fields";

export const LIVE_INTERVAL_MS = 2500;

export interface RunData {
  info: ContainerInfo | null;
  values: Map<string, FieldValue>;
  structure: Record<string, string>;
  error: string | null;
  /** bumped on every refresh, so charts and logs re-read */
  tick: number;
  /** the fields have been read at least once */
  loaded: boolean;
}

export function isRunning(values: Map<string, FieldValue>): boolean {
  return values.get("sys/state")?.value === "running";
}

export function useRunData(project: ProjectRef, sysId: string, live: boolean): RunData {
  const [info, setInfo] = useState<ContainerInfo | null>(null);
  const [fields, setFields] = useState<{
    values: Map<string, FieldValue>;
    structure: Record<string, string>;
    tick: number;
    loaded: boolean;
  }>({ values: new Map(), structure: {}, tick: 0, loaded: false });
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    setInfo(null);
    setError(null);
    setFields({ values: new Map(), structure: {}, tick: 0, loaded: false });
    containerBySysId(project, sysId, ctl.signal).then(setInfo, (e: unknown) => {
      if (!ctl.signal.aborted) setError(e instanceof Error ? e.message : String(e));
    });
    return () => ctl.abort();
  }, [project.workspace, project.name, sysId]);

  const uuid = info?.uuid;
  const running = isRunning(fields.values);
  useEffect(() => {
    if (!uuid) return;
    const ctl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async (first: boolean) => {
      try {
        const list = await containerFields(uuid, "", ctl.signal);
        if (ctl.signal.aborted) return;
        const values = new Map(list.map((f) => [f.path, f]));
        const structure: Record<string, string> = {};
        for (const f of list) structure[f.path] = f.type;
        setFields((old) => ({ values, structure, tick: first ? old.tick : old.tick + 1, loaded: true }));
        if (live && isRunning(values)) timer = setTimeout(() => load(false), LIVE_INTERVAL_MS);
      } catch (e) {
        if (!ctl.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      }
    };
    load(true);
    return () => {
      ctl.abort();
      clearTimeout(timer);
    };
    // `running` re-arms polling when a run starts logging again
  }, [uuid, live, running]);

  return { info, values: fields.values, structure: fields.structure, error, tick: fields.tick, loaded: fields.loaded };
}
