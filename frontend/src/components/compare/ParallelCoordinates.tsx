// Parallel coordinates in SVG: one vertical axis per chosen numeric field, one line per run.
// Axis names never overlap: staggered in two rows when they do not fit, elided (keeping the
// end) to the room they have, the whole path in their tooltip.
import { formatNumber } from "../../lib/format";
import { runColor } from "../chart/colors";
import { axesFor, axisPosition, numericValue, type RunFields } from "./compareData";

const PAD_BOTTOM = 24;
const PAD_X = 60;
/** A bold 11 px character is at most this wide (a safe estimate: labels never touch). */
const CHAR_PX = 7;
const ROW_PX = 14;

/** A path cut to `chars` characters, keeping its end (where sweep names differ). */
export function elide(path: string, chars: number): string {
  if (path.length <= chars) return path;
  return chars <= 1 ? "…" : "…" + path.slice(-(chars - 1));
}

/** Where each axis's label goes: one row when every label fits between its neighbours, else
 * two staggered rows; each label elided to the room it has (the page's edges included). */
export function labelLayout(paths: string[], xs: number[], width: number): { text: string; row: number }[] {
  const step = xs.length > 1 ? xs[1] - xs[0] : width;
  const fitsOneRow = paths.every((p) => p.length * CHAR_PX <= step - 8);
  const spacing = fitsOneRow ? step : 2 * step;
  return paths.map((p, i) => {
    const room = Math.min(spacing - 8, 2 * xs[i] - 4, 2 * (width - xs[i]) - 4);
    return { text: elide(p, Math.floor(room / CHAR_PX)), row: fitsOneRow ? 0 : i % 2 };
  });
}

export function ParallelCoordinates(props: { runs: RunFields[]; names: string[]; paths: string[]; width?: number; height?: number }) {
  const { runs, names, paths, width = 900, height = 320 } = props;
  if (paths.length < 2) return <div className="muted">Choose at least two numeric fields.</div>;
  const axes = axesFor(runs, paths);
  const step = (width - 2 * PAD_X) / (axes.length - 1);
  const xAt = (i: number) => PAD_X + i * step;
  const labels = labelLayout(
    paths,
    axes.map((_, i) => xAt(i)),
    width,
  );
  const PAD_TOP = 22 + ROW_PX * (labels.some((l) => l.row > 0) ? 2 : 1);
  const yAt = (pos: number) => PAD_TOP + (1 - pos) * (height - PAD_TOP - PAD_BOTTOM);
  return (
    <svg className="parallel" data-testid="parallel-coordinates" width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
      {axes.map((a, i) => (
        <g key={a.path}>
          <line x1={xAt(i)} x2={xAt(i)} y1={PAD_TOP} y2={height - PAD_BOTTOM} stroke="#adb5bd" />
          <text x={xAt(i)} y={14 + ROW_PX * labels[i].row} textAnchor="middle" fontSize={11} fontWeight={600}>
            {labels[i].text}
            <title>{a.path}</title>
          </text>
          <text x={xAt(i) + 4} y={PAD_TOP + 4} fontSize={10} fill="#6b7385">
            {formatNumber(a.max)}
          </text>
          <text x={xAt(i) + 4} y={height - PAD_BOTTOM + 14} fontSize={10} fill="#6b7385">
            {formatNumber(a.min)}
          </text>
        </g>
      ))}
      {runs.map((r, ri) => {
        const pts = axes.map((a, i) => {
          const pos = axisPosition(a, numericValue(r.get(a.path)));
          return pos === null ? null : ([xAt(i), yAt(pos)] as const);
        });
        // a missing value breaks the line into segments
        const segments: string[] = [];
        let cur: string[] = [];
        for (const p of pts) {
          if (p === null) {
            if (cur.length) segments.push(cur.join(" "));
            cur = [];
          } else cur.push(`${p[0]},${p[1]}`);
        }
        if (cur.length) segments.push(cur.join(" "));
        return (
          <g key={ri} data-testid="parallel-run">
            <title>{names[ri]}</title>
            {segments.map((s, k) => (
              <polyline key={k} points={s} fill="none" stroke={runColor(ri)} strokeWidth={2} opacity={0.85} />
            ))}
            {pts.map((p, k) => p && <circle key={k} cx={p[0]} cy={p[1]} r={3} fill={runColor(ri)} />)}
          </g>
        );
      })}
    </svg>
  );
}
