// The dashboard's charts as element trees (svg.ts): line (runs or group means with a min–max
// band), scatter of two fields, parallel coordinates. Pure: the same tree is shown in the page
// and written into an exported report, so a report looks like the dashboard it froze.
import { runColor, withAlpha } from "../../components/chart/colors";
import { formatDatetime, formatNumber } from "../format";
import type { LineData, ParallelData, ScatterData } from "./data";
import { h, type El } from "./svg";

const PAD_L = 56;
const PAD_R = 12;
const PAD_T = 10;
const PAD_B = 30;
const AXIS = "#8a93a5";
const FONT = 11;

function extent(values: number[]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) {
    lo -= Math.abs(lo) * 0.05 || 0.5;
    hi += Math.abs(hi) * 0.05 || 0.5;
  }
  return [lo, hi];
}

function scale(lo: number, hi: number, a: number, b: number) {
  return (v: number) => a + ((v - lo) / (hi - lo)) * (b - a);
}

const short = (s: string, n = 28) => (s.length > n ? "…" + s.slice(-(n - 1)) : s);

function frame(width: number, height: number, xr: [number, number], yr: [number, number], xLabel: string, yLabel: string, xText = formatNumber): El[] {
  const x0 = PAD_L;
  const x1 = width - PAD_R;
  const y0 = height - PAD_B;
  const y1 = PAD_T;
  return [
    h("line", { x1: x0, x2: x1, y1: y0, y2: y0, stroke: AXIS }),
    h("line", { x1: x0, x2: x0, y1: y0, y2: y1, stroke: AXIS }),
    h("text", { x: x0 - 4, y: y1 + FONT, fontSize: FONT, textAnchor: "end", fill: AXIS }, formatNumber(yr[1])),
    h("text", { x: x0 - 4, y: y0, fontSize: FONT, textAnchor: "end", fill: AXIS }, formatNumber(yr[0])),
    h("text", { x: x0, y: y0 + 14, fontSize: FONT, fill: AXIS }, xText(xr[0])),
    h("text", { x: x1, y: y0 + 14, fontSize: FONT, textAnchor: "end", fill: AXIS }, xText(xr[1])),
    h("text", { x: (x0 + x1) / 2, y: height - 4, fontSize: FONT, textAnchor: "middle", fill: AXIS }, short(xLabel, 40)),
    h("text", { x: x0 + 6, y: y1 + FONT, fontSize: FONT, fill: AXIS }, yLabel ? short(yLabel, 40) : ""),
  ];
}

function svg(width: number, height: number, kind: string, children: El[]): El {
  return h("svg", { width, height, viewBox: `0 0 ${width} ${height}`, className: `dash-chart dash-${kind}`, role: "img" }, children);
}

/** Points "x,y" of the non-null values, split into runs where a value is missing. */
function segments(xs: number[], ys: (number | null)[], sx: (v: number) => number, sy: (v: number) => number): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  xs.forEach((x, i) => {
    const y = ys[i];
    if (y === null || y === undefined || !Number.isFinite(y)) {
      if (cur.length) out.push(cur.join(" "));
      cur = [];
    } else cur.push(`${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
  });
  if (cur.length) out.push(cur.join(" "));
  return out;
}

export function lineChart(data: LineData, width: number, height: number): El {
  const xs = data.traces.flatMap((t) => t.x);
  const ys = data.traces.flatMap((t) => [...t.y, ...(t.low ?? []), ...(t.high ?? [])]).filter((v): v is number => v !== null);
  const xr = extent(xs);
  const yr = extent(ys);
  const sx = scale(xr[0], xr[1], PAD_L, width - PAD_R);
  const sy = scale(yr[0], yr[1], height - PAD_B, PAD_T);
  const traces = data.traces.map((t, i) => {
    const color = runColor(i);
    const band =
      t.low && t.high
        ? segments(t.x, t.high, sx, sy).length
          ? h("polygon", {
              points: [...segments(t.x, t.high, sx, sy), ...segments([...t.x].reverse(), [...t.low].reverse(), sx, sy)].join(" "),
              fill: withAlpha(color, 0.18),
              stroke: "none",
              dataTestid: "line-band",
            })
          : null
        : null;
    return h(
      "g",
      { dataTestid: "line-trace", dataLabel: t.label },
      h("title", {}, `${t.label} ${t.path}`),
      band,
      segments(t.x, t.y, sx, sy).map((s) => h("polyline", { points: s, fill: "none", stroke: color, strokeWidth: 1.6 })),
    );
  });
  const xLabel = data.xaxis === "relative" ? "seconds since start" : data.xaxis;
  // a legend at the top right: the first traces' labels in their colours
  const legend = data.traces.slice(0, 8).map((t, i) =>
    h("text", { x: width - PAD_R - 4, y: PAD_T + FONT + i * (FONT + 2), fontSize: FONT, textAnchor: "end", fill: runColor(i), dataTestid: "line-legend" }, short(t.label, 36)),
  );
  const xText = data.xaxis === "time" ? (v: number) => formatDatetime(v) : formatNumber;
  return svg(width, height, "line", [...frame(width, height, xr, yr, xLabel, "", xText), ...traces, ...legend]);
}

export function scatterChart(data: ScatterData, width: number, height: number): El {
  const xr = extent(data.points.map((p) => p.x));
  const yr = extent(data.points.map((p) => p.y));
  const sx = scale(xr[0], xr[1], PAD_L, width - PAD_R);
  const sy = scale(yr[0], yr[1], height - PAD_B, PAD_T);
  const dots = data.points.map((p) =>
    h("circle", { cx: sx(p.x).toFixed(1), cy: sy(p.y).toFixed(1), r: 3.5, fill: runColor(0), fillOpacity: 0.75, dataTestid: "scatter-point" }, h("title", {}, `${p.id}: ${formatNumber(p.x)}, ${formatNumber(p.y)}`)),
  );
  return svg(width, height, "scatter", [...frame(width, height, xr, yr, data.x_field, data.y_field), ...dots]);
}

export function parallelChart(data: ParallelData, width: number, height: number): El {
  const n = data.fields.length;
  const top = 28;
  const bottom = height - 18;
  const step = n > 1 ? (width - 2 * PAD_L) / (n - 1) : 0;
  const xAt = (i: number) => PAD_L + i * step;
  const ranges = data.fields.map((_, k) => extent(data.rows.map((r) => r.values[k]).filter((v): v is number => v !== null)));
  const yAt = (k: number, v: number) => scale(ranges[k][0], ranges[k][1], bottom, top)(v);
  const axes = data.fields.map((f, k) =>
    h(
      "g",
      { dataTestid: "parallel-axis" },
      h("line", { x1: xAt(k), x2: xAt(k), y1: top, y2: bottom, stroke: AXIS }),
      h("text", { x: xAt(k), y: k % 2 ? 22 : 11, fontSize: FONT, textAnchor: "middle", fontWeight: 600 }, short(f, Math.max(8, Math.floor(step / 7)))),
      h("title", {}, f),
      h("text", { x: xAt(k) + 3, y: top + 9, fontSize: 10, fill: AXIS }, formatNumber(ranges[k][1])),
      h("text", { x: xAt(k) + 3, y: bottom + 12, fontSize: 10, fill: AXIS }, formatNumber(ranges[k][0])),
    ),
  );
  const lines = data.rows.map((r, ri) => {
    const xs = data.fields.map((_, k) => k);
    const ys = r.values.map((v, k) => (v === null || !Number.isFinite(v) ? null : yAt(k, v)));
    return h(
      "g",
      { dataTestid: "parallel-line" },
      h("title", {}, r.id),
      segments(xs, ys, xAt, (y) => y).map((s) => h("polyline", { points: s, fill: "none", stroke: runColor(ri), strokeWidth: 1.4, strokeOpacity: 0.8 })),
    );
  });
  return svg(width, height, "parallel", [...axes, ...lines]);
}
