// The chart's legend, drawn by React so run names stay text: a colour, the name, the value
// under the cursor and how many NaN/Inf values the visible buckets hold.
import { formatNumber } from "../../lib/format";
import type { ChartColumns, UplotColumns } from "../../lib/series";
import { runColor } from "./colors";

export function ChartLegend(props: {
  uuids: string[];
  names: Record<string, string>;
  cols: ChartColumns;
  columns: UplotColumns;
  idx: number | null;
}) {
  const { uuids, names, cols, columns, idx } = props;
  const odd = new Map<number, number>();
  for (const m of cols.markers) odd.set(m.run, (odd.get(m.run) ?? 0) + m.count);
  return (
    <ul className="chart-legend" data-testid="chart-legend">
      {uuids.map((u, i) => {
        const v = idx !== null ? columns.data[columns.lines[i]]?.[idx] : null;
        return (
          <li key={u}>
            <span className="swatch" style={{ background: runColor(i) }} />
            <span className="name">{names[u] ?? u}</span>
            {v !== null && v !== undefined && <span className="value">{formatNumber(v)}</span>}
            {odd.has(i) && (
              <span className="odd" title="NaN and infinite values in these buckets">
                {odd.get(i)} NaN/Inf
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
