// A chart of one group: a float series of its runs bucketed on one shared step grid, drawn as
// the group's mean with a min–max or ± std band; single runs on demand. An SVG of a few
// hundred points: the band logic is lib/groups.ts (groupBand).
import { useEffect, useState } from "react";
import { containerBySysId } from "../../api/fields";
import { fetchBuckets } from "../../api/series";
import { fetchTable } from "../../api/tables";
import type { ProjectRef } from "../../api/types";
import { formatNumber } from "../../lib/format";
import { bucketValue, groupBand, type BandKind } from "../../lib/groups";
import type { BucketSeries } from "../../lib/series";
import { runColor } from "../chart/colors";

export const CHART_RUNS = 50; // runs of a group a chart reads
const W = 640;
const H = 200;
const PAD = 36;

export function GroupChart(p: { project: ProjectRef; filter: string; trashed: boolean; series: string[] }) {
  const [path, setPath] = useState(p.series[0]);
  const [band, setBand] = useState<BandKind>("minmax");
  const [singles, setSingles] = useState(false);
  const [data, setData] = useState<{ series: BucketSeries[]; runs: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const chosen = p.series.includes(path) ? path : p.series[0];
  const key = [p.project.workspace, p.project.name, p.filter, p.trashed, chosen].join("\u0001");

  useEffect(() => {
    const ctl = new AbortController();
    setData(null);
    setError(null);
    (async () => {
      const t = await fetchTable(p.project, "run", { filter: p.filter, columns: ["sys/id"], trashed: p.trashed, limit: CHART_RUNS }, ctl.signal);
      const ids = t.rows.map((r) => String(r[0]));
      const infos = await Promise.all(ids.map((id) => containerBySysId(p.project, id, ctl.signal)));
      const uuids = infos.map((i) => i.uuid);
      const answer = uuids.length
        ? await fetchBuckets(p.project, { uuids, path: chosen, x: "step", x_min: null, x_max: null, buckets: 200, log_x: false }, ctl.signal)
        : { series: [] };
      return { series: answer.series, runs: ids.length, total: t.total ?? ids.length };
    })().then(
      (d) => !ctl.signal.aborted && setData(d),
      (e) => !ctl.signal.aborted && setError((e as Error).message),
    );
    return () => ctl.abort();
  }, [key]);

  const b = data ? groupBand(data.series, band) : null;
  const values = b ? [...b.low, ...b.high].filter((v): v is number => v !== null && Number.isFinite(v)) : [];
  if (singles && data) for (const s of data.series) for (let i = 0; i < s.count.length; i++) {
    const v = bucketValue(s, i);
    if (v !== null && Number.isFinite(v)) values.push(v);
  }
  const x0 = b && b.x.length ? b.x[0] : 0;
  const x1 = b && b.x.length ? b.x[b.x.length - 1] : 1;
  const y0 = values.length ? Math.min(...values) : 0;
  const y1 = values.length ? Math.max(...values) : 1;
  const sx = (x: number) => PAD + ((x - x0) / (x1 - x0 || 1)) * (W - 2 * PAD);
  const sy = (y: number) => H - PAD / 2 - ((y - y0) / (y1 - y0 || 1)) * (H - PAD);
  const line = (xs: number[], ys: (number | null)[]) =>
    xs.map((x, i) => (ys[i] === null ? "" : `${sx(x).toFixed(1)},${sy(ys[i] as number).toFixed(1)}`)).filter(Boolean).join(" ");

  return (
    <div className="group-chart" data-testid="group-chart">
      <div className="groups-bar">
        <label>
          Series
          <select data-testid="group-chart-series" value={chosen} onChange={(e) => setPath(e.target.value)}>
            {p.series.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Band
          <select data-testid="group-chart-band" value={band} onChange={(e) => setBand(e.target.value as BandKind)}>
            <option value="minmax">min–max</option>
            <option value="std">± std</option>
          </select>
        </label>
        <label className="toggle">
          <input type="checkbox" data-testid="group-chart-singles" checked={singles} onChange={(e) => setSingles(e.target.checked)} />
          single runs
        </label>
        {data && data.total > data.runs && <span className="muted">first {data.runs} of {data.total} runs</span>}
      </div>
      {error && <div className="banner error">{error}</div>}
      {!data && !error && <div className="muted">Loading the chart…</div>}
      {b && b.x.length === 0 && <div className="muted">No values of {chosen} in this group.</div>}
      {b && b.x.length > 0 && (
        <svg width={W} height={H} role="img" aria-label={`mean of ${chosen}`} data-testid="group-chart-svg" data-points={b.x.length}>
          <polygon
            data-testid="group-band"
            points={[line(b.x, b.high), line([...b.x].reverse(), [...b.low].reverse())].join(" ")}
            fill={runColor(0)}
            fillOpacity={0.2}
            stroke="none"
          />
          {singles &&
            data?.series.map((s, r) => {
              const xs = s.edges.slice(0, -1).map((e, i) => (e + s.edges[i + 1]) / 2);
              return (
                <polyline
                  key={s.uuid}
                  data-testid="group-single"
                  points={line(xs, xs.map((_, i) => bucketValue(s, i)))}
                  fill="none"
                  stroke={runColor(r + 1)}
                  strokeOpacity={0.6}
                  strokeWidth={1}
                />
              );
            })}
          <polyline data-testid="group-mean" points={line(b.x, b.mean)} fill="none" stroke={runColor(0)} strokeWidth={2} />
          <text x={4} y={12} fontSize={11}>
            {formatNumber(y1)}
          </text>
          <text x={4} y={H - 4} fontSize={11}>
            {formatNumber(y0)}
          </text>
          <text x={W - PAD} y={H - 4} fontSize={11} textAnchor="end">
            step {formatNumber(x1)}
          </text>
        </svg>
      )}
    </div>
  );
}
