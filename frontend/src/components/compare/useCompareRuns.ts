// The compared runs: each found by its sys id, then all its field values. The ids come first
// (the chart can ask for its buckets while the fields are still on their way).
import { useEffect, useState } from "react";
import type { ProjectRef } from "../../api/types";
import { containerBySysId, containerFields, type ContainerInfo } from "../../api/fields";
import type { RunFields } from "./compareData";

export interface ComparedRun {
  sysId: string;
  info: ContainerInfo;
  fields: RunFields;
  name: string;
}

export interface CompareState {
  infos: ContainerInfo[] | null;
  runs: ComparedRun[] | null;
  error: string | null;
}

export function useCompareRuns(project: ProjectRef, sysIds: string[]): CompareState {
  const [state, setState] = useState<CompareState>({ infos: null, runs: null, error: null });
  const key = sysIds.join(",");
  useEffect(() => {
    const ctl = new AbortController();
    const fail = (e: unknown) =>
      !ctl.signal.aborted && setState({ infos: null, runs: null, error: e instanceof Error ? e.message : String(e) });
    setState({ infos: null, runs: null, error: null });
    Promise.all(sysIds.map((id) => containerBySysId(project, id, ctl.signal))).then((infos) => {
      if (ctl.signal.aborted) return;
      setState({ infos, runs: null, error: null });
      Promise.all(
        infos.map(async (info, i) => {
          const list = await containerFields(info.uuid, "", ctl.signal);
          const fields: RunFields = new Map(list.map((f) => [f.path, f]));
          return { sysId: sysIds[i], info, fields, name: String(fields.get("sys/name")?.value ?? sysIds[i]) };
        }),
      ).then((runs) => !ctl.signal.aborted && setState({ infos, runs, error: null }), fail);
    }, fail);
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [project.workspace, project.name, key]);
  return state;
}
