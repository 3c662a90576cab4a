// Parallel coordinates in SVG: one vertical axis per chosen numeric field, one line per run.
import { formatNumber } from "../../lib/format";
import { runColor } from "../chart/colors";
import { axesFor, axisPosition, numericValue, type RunFields } from "./compareData";

const PAD_TOP = 36;
const PAD_BOTTOM = 24;
const PAD_X = 60;

export function ParallelCoordinates(props: { runs: RunFields[]; names: string[]; paths: string[]; width?: number; height?: number }) {
  const { runs, names, paths, width = 900, height = 320 } = props;
  if (paths.length < 2) return <div className="muted">Choose at least two numeric fields.</div>;
  const axes = axesFor(runs, paths);
  const step = (width - 2 * PAD_X) / (axes.length - 1);
  const xAt = (i: number) => PAD_X + i * step;
  const yAt = (pos: number) => PAD_TOP + (1 - pos) * (height - PAD_TOP - PAD_BOTTOM);
  return (
    <svg className="parallel" data-testid="parallel-coordinates" width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
      {axes.map((a, i) => (
        <g key={a.path}>
          <line x1={xAt(i)} x2={xAt(i)} y1={PAD_TOP} y2={height - PAD_BOTTOM} stroke="#adb5bd" />
          <text x={xAt(i)} y={14} textAnchor="middle" fontSize={11} fontWeight={600}>
            {a.path.length > 24 ? "…" + a.path.slice(-23) : a.path}
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
