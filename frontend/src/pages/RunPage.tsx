// One run: header, then tabs. "Fields" is the field tree with the selected field (or a
// namespace's charts) beside it; "Charts" every float series; "Monitoring" hardware and
// terminal output; "Source" git, diff and files. Tab, field, filter and chart options live
// in the URL, so a link opens the same view.
import { useMemo } from "react";
import type { PageProps } from "../api/types";
import { navigate } from "../lib/router";
import { chartOptionsFromQuery, chartOptionsToQuery, type ChartOptions } from "../lib/series";
import { ChartToolbar } from "../components/chart/ChartToolbar";
import { ChartsTab } from "../components/run/ChartsTab";
import { FieldDetail, type RunContext } from "../components/run/FieldDetail";
import { FieldTree } from "../components/run/FieldTree";
import { MonitoringTab } from "../components/run/MonitoringTab";
import { RunHeader } from "../components/run/RunHeader";
import { SourceTab } from "../components/run/SourceTab";
import { isRunning, useRunData } from "../components/run/useRunData";
import "../components/run/run.css";
import { projectName, useTitle } from "../lib/title";

const TABS = [
  ["fields", "Fields"],
  ["charts", "Charts"],
  ["monitoring", "Monitoring"],
  ["source", "Source code"],
] as const;

export default function RunPage({ project, sysId, query }: PageProps & { sysId: string }) {
  const live = query.get("live") !== "0";
  const tab = TABS.some(([t]) => t === query.get("tab")) ? query.get("tab")! : "fields";
  const field = query.get("field");
  const options = chartOptionsFromQuery(query);
  const data = useRunData(project, sysId, live);
  const running = isRunning(data.values);

  const update = (patch: Record<string, string | null>, opts?: ChartOptions) => {
    const q = opts ? chartOptionsToQuery(opts, query) : new URLSearchParams(query);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) q.delete(k);
      else q.set(k, v);
    }
    navigate(["p", project.workspace, project.name, "runs", sysId], q, true);
  };

  const name = String(data.values.get("sys/name")?.value ?? sysId);
  useTitle(name !== sysId ? `${sysId} ${name}` : sysId, projectName(project));
  const ctx: RunContext | null = useMemo(
    () =>
      data.info
        ? {
            project,
            uuid: data.info.uuid,
            name,
            structure: data.structure,
            values: data.values,
            options,
            refresh: data.tick,
          }
        : null,
    // options is rebuilt from the query each render; its parts are the real dependencies
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [data.info, data.structure, data.values, data.tick, name, project.workspace, project.name, query.toString()],
  );

  if (data.error) return <div className="run-page error" data-testid="run-error">{data.error}</div>;
  if (!ctx || !data.loaded) return <div className="run-page muted">loading…</div>;
  return (
    <div className="run-page" data-testid="run-page">
      <RunHeader sysId={sysId} values={data.values} live={live} running={running} onLive={(on) => update({ live: on ? null : "0" })} />
      <div className="run-tabs" role="tablist">
        {TABS.map(([t, label]) => (
          <button
            key={t}
            type="button"
            role="tab"
            aria-selected={tab === t}
            className={tab === t ? "tab active" : "tab"}
            data-testid={`run-tab-${t}`}
            onClick={() => update({ tab: t === "fields" ? null : t })}
          >
            {label}
          </button>
        ))}
        <ChartToolbar options={options} onChange={(o) => update({}, o)} />
      </div>
      <div className="run-body">
        {tab === "fields" && (
          <div className="fields-layout">
            <FieldTree
              structure={ctx.structure}
              values={ctx.values}
              selected={field}
              onSelect={(p, isNs) => {
                if (!isNs || p !== field) update({ field: p });
              }}
            />
            <div className="field-pane">
              {field !== null ? (
                <FieldDetail key={field} ctx={ctx} path={field} />
              ) : (
                <div className="muted">Choose a field or a namespace on the left.</div>
              )}
            </div>
          </div>
        )}
        {tab === "charts" && <ChartsTab ctx={ctx} filter={query.get("filter") ?? ""} onFilter={(f) => update({ filter: f || null })} />}
        {tab === "monitoring" && <MonitoringTab ctx={ctx} />}
        {tab === "source" && <SourceTab ctx={ctx} />}
      </div>
    </div>
  );
}
