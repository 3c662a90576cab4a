// Several runs side by side (#/p/ws/proj/compare?runs=ID1,ID2): one series overlaid for all
// of them, a table of the fields that differ, parallel coordinates of numeric fields, and the
// runs' images of one field side by side. Made for sweeps too (50+ runs): 72 colours before
// any repeats, min-max bands off past 3 runs (a toggle turns them on), the runs list folds.
import { useMemo, useState } from "react";
import type { PageProps } from "../api/types";
import { formatHash, navigate } from "../lib/router";
import { chartOptionsFromQuery, chartOptionsToQuery, type ChartOptions } from "../lib/series";
import { ChartToolbar } from "../components/chart/ChartToolbar";
import { SeriesChart } from "../components/chart/SeriesChart";
import { runColor } from "../components/chart/colors";
import { defaultAxes, diffRows, numericPaths, seriesPaths } from "../components/compare/compareData";
import { DiffTable } from "../components/compare/DiffTable";
import { ParallelCoordinates } from "../components/compare/ParallelCoordinates";
import { ImageCompare } from "../components/compare/ImageCompare";
import { SeriesPicker } from "../components/compare/SeriesPicker";
import { useCompareRuns } from "../components/compare/useCompareRuns";
import "../components/compare/compare.css";
import "../components/run/run.css";
import { projectName, useTitle } from "../lib/title";

export default function ComparePage({ project, query }: PageProps) {
  useTitle("compare", projectName(project));
  const sysIds = (query.get("runs") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const { infos, runs, error } = useCompareRuns(project, sysIds);
  const options = chartOptionsFromQuery(query);
  const allSeries = query.get("allseries") === "1";
  const showAll = query.get("showall") === "1";
  // bands of many runs hide each other's lines: on by default for up to 3 runs only
  const bandsParam = query.get("bands");
  const showBand = bandsParam !== null ? bandsParam === "1" : sysIds.length <= 3;
  const [runsOpen, setRunsOpen] = useState<boolean | null>(null);
  const listOpen = runsOpen ?? sysIds.length <= 12;

  const update = (patch: Record<string, string | null>, opts?: ChartOptions) => {
    const q = opts ? chartOptionsToQuery(opts, query) : new URLSearchParams(query);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) q.delete(k);
      else q.set(k, v);
    }
    navigate(["p", project.workspace, project.name, "compare"], q, true);
  };

  const fields = useMemo(() => (runs ?? []).map((r) => r.fields), [runs]);
  const paths = useMemo(() => seriesPaths(fields, allSeries), [fields, allSeries]);
  const rows = useMemo(() => diffRows(fields, showAll), [fields, showAll]);
  const numeric = useMemo(() => numericPaths(fields), [fields]);

  if (sysIds.length === 0)
    return (
      <div className="compare-page muted" data-testid="compare-page">
        Choose runs to compare in the runs table, or open #/p/{project.workspace}/{project.name}/compare?runs=ID1,ID2.
      </div>
    );
  if (error) return <div className="compare-page error" data-testid="compare-error">{error}</div>;
  if (!infos) return <div className="compare-page muted">loading…</div>;

  // a path in the URL is drawn at once; otherwise the first shared "loss" once fields are in
  const chosen = query.get("path");
  const path =
    chosen && (!runs || paths.includes(chosen)) ? chosen : (paths.find((p) => /loss/i.test(p)) ?? paths[0] ?? null);
  const axesParam = query.get("axes");
  const axes = axesParam !== null ? axesParam.split(",").filter((p) => numeric.all.includes(p)) : defaultAxes(numeric.differing);
  const uuids = infos.map((r) => r.uuid);
  const names = Object.fromEntries(infos.map((r, i) => [r.uuid, `${r.sys_id} ${runs?.[i].name ?? ""}`.trim()]));
  const toggleAxis = (p: string) => {
    const next = axes.includes(p) ? axes.filter((a) => a !== p) : [...axes, p];
    update({ axes: next.join(",") });
  };

  return (
    <div className="compare-page" data-testid="compare-page">
      <div className="compare-runs-box">
        <button
          type="button"
          className="link"
          data-testid="compare-runs-toggle"
          aria-expanded={listOpen}
          onClick={() => setRunsOpen(!listOpen)}
        >
          {listOpen ? "▾" : "▸"} {infos.length} runs
        </button>
        {listOpen && (
          <div className="compare-runs" data-testid="compare-runs">
            {infos.map((r, i) => (
              <a key={r.sys_id} href={formatHash(["p", project.workspace, project.name, "runs", r.sys_id])}>
                <span className="swatch" style={{ background: runColor(i) }} /> {r.sys_id} <span className="muted">{runs?.[i].name}</span>
              </a>
            ))}
          </div>
        )}
      </div>
      <section>
        <div className="compare-toolbar">
          <ChartToolbar options={options} onChange={(o) => update({}, o)} />
          <label className="muted">
            <input
              type="checkbox"
              data-testid="compare-bands"
              checked={showBand}
              onChange={(e) => update({ bands: e.target.checked ? "1" : "0" })}
            />{" "}
            min–max bands
          </label>
        </div>
        <div className="compare-top">
          <div>
            <SeriesPicker paths={paths} selected={path} onSelect={(p) => update({ path: p })} />
            <label className="muted">
              <input
                type="checkbox"
                data-testid="series-all"
                checked={allSeries}
                onChange={(e) => update({ allseries: e.target.checked ? "1" : null })}
              />{" "}
              series of any run, not only shared
            </label>
          </div>
          <div className="compare-chart">
            {path ? (
              <SeriesChart project={project} uuids={uuids} names={names} path={path} options={options} height={380} showBand={showBand} />
            ) : (
              <div className="muted">{runs ? "These runs share no float series." : "loading…"}</div>
            )}
          </div>
        </div>
      </section>
      <section>
        <h3>
          Fields{" "}
          <label className="muted">
            <input type="checkbox" data-testid="compare-show-all" checked={showAll} onChange={(e) => update({ showall: e.target.checked ? "1" : null })} />{" "}
            show all, not only those that differ
          </label>
        </h3>
        {runs ? <DiffTable runs={runs} rows={rows} /> : <div className="muted">loading…</div>}
      </section>
      <section>
        <h3>Images</h3>
        {runs ? (
          <ImageCompare uuids={uuids} names={runs.map((r) => `${r.sysId} ${r.name}`)} runs={fields} />
        ) : (
          <div className="muted">loading…</div>
        )}
      </section>
      <section>
        <h3>Parallel coordinates</h3>
        <div className="axis-chooser" data-testid="axis-chooser">
          {numeric.all.map((p) => (
            <label key={p}>
              <input type="checkbox" checked={axes.includes(p)} onChange={() => toggleAxis(p)} /> {p}
            </label>
          ))}
        </div>
        {runs && <ParallelCoordinates runs={fields} names={runs.map((r) => `${r.sysId} ${r.name}`)} paths={axes} />}
      </section>
    </div>
  );
}
