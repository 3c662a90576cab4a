// A grid of series charts, one per path (all of a namespace, or a run's hardware series).
// Charts off screen are neither fetched nor drawn until scrolled to.
import type { ProjectRef } from "../../api/types";
import type { ChartOptions } from "../../lib/series";
import { SeriesChart } from "./SeriesChart";

export function ChartGrid(props: {
  project: ProjectRef;
  uuids: string[];
  names: Record<string, string>;
  paths: string[];
  options: ChartOptions;
  refresh?: number;
  /** shown in each title instead of the full path */
  stripPrefix?: string;
  /** per path: a title, a fixed y range */
  titles?: Record<string, string>;
  yRanges?: Record<string, [number, number]>;
}) {
  const { paths, stripPrefix } = props;
  if (paths.length === 0) return <div className="muted">No float series here.</div>;
  return (
    <div className="chart-grid" data-testid="chart-grid">
      {paths.map((p) => (
        <SeriesChart
          key={p}
          project={props.project}
          uuids={props.uuids}
          names={props.names}
          path={p}
          options={props.options}
          refresh={props.refresh}
          title={props.titles?.[p] ?? (stripPrefix && p.startsWith(stripPrefix) ? p.slice(stripPrefix.length) : p)}
          yRange={props.yRanges?.[p]}
          height={200}
        />
      ))}
    </div>
  );
}
