// A float series chart of one or more runs, fed by the buckets route: one line per run (the
// bucket mean or last value, optionally EMA-smoothed), a min/max band, NaN/Inf markers; drag
// to zoom (buckets re-fetched for the new x range), double-click or "reset" to zoom out.
import { useEffect, useMemo, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./chart.css";
import type { ProjectRef } from "../../api/types";
import { bucketsToColumns, toUplotColumns, type ChartOptions } from "../../lib/series";
import { ChartLegend } from "./ChartLegend";
import { useBuckets } from "./useBuckets";
import { useVisible, useWidth } from "./hooks";
import { plotOptions } from "./uplotOptions";

export interface SeriesChartProps {
  project: ProjectRef;
  uuids: string[];
  /** run names for the legend, by uuid */
  names: Record<string, string>;
  path: string;
  options: ChartOptions;
  height?: number;
  showBand?: boolean;
  /** bump to re-fetch (live mode) */
  refresh?: number;
  title?: string;
  /** a fixed y range, as monitoring's series_config gives for cpu (0-100 %) */
  yRange?: [number, number];
}

export function SeriesChart(props: SeriesChartProps) {
  const { project, uuids, names, path, options, height = 240, showBand = true, refresh, yRange } = props;
  const box = useRef<HTMLDivElement>(null);
  const plotBox = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  const visible = useVisible(box);
  const [range, setRange] = useState<[number, number] | null>(null);
  const [hover, setHover] = useState<number | null>(null);
  const uuidKey = uuids.join(",");

  // a new x axis (or other runs, or another series) starts unzoomed
  useEffect(() => setRange(null), [uuidKey, path, options.xKind, options.logX]);

  // one bucket per two pixels: the band keeps every extreme visible, and the server's time
  // grows with the number of buckets
  const buckets = width > 0 ? Math.min(1000, Math.max(100, Math.ceil(width / 2 / 50) * 50)) : 0;
  const state = useBuckets({
    project,
    uuids,
    path,
    xKind: options.xKind,
    logX: options.logX,
    range,
    buckets,
    enabled: visible,
    refresh,
  });

  const cols = useMemo(
    () =>
      bucketsToColumns(state.series, uuids, {
        value: options.value,
        xKind: options.xKind,
        logX: options.logX,
        logY: options.logY,
        origins: state.origins,
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [state.series, state.origins, uuidKey, options.value, options.xKind, options.logX, options.logY],
  );
  const columns = useMemo(() => toUplotColumns(cols, options.smoothing, showBand), [cols, options.smoothing, showBand]);

  const plot = useRef<uPlot | null>(null);
  const markers = useRef(cols.markers);
  markers.current = cols.markers;
  const rangeRef = useRef(range);
  rangeRef.current = range;

  // the chart is made again only when its shape changes; new data goes through setData
  const shape = `${uuids.length}|${showBand}|${options.xKind}|${options.logX}|${options.logY}|${height}|${yRange}`;
  useEffect(() => {
    if (!plotBox.current || width <= 0 || !visible) return;
    const u = new uPlot(
      plotOptions({
        width,
        height,
        runs: uuids.length,
        showBand,
        xKind: options.xKind,
        logX: options.logX,
        logY: options.logY,
        yRange,
        handlers: {
          markers: () => markers.current,
          onZoom: (r) => {
            plot.current?.setScale("x", { min: r[0], max: r[1] });
            setRange(r);
          },
          onReset: () => setRange(null),
          onHover: (idx) => setHover(idx),
        },
      }),
      columns.data as uPlot.AlignedData,
      plotBox.current,
    );
    plot.current = u;
    return () => {
      u.destroy();
      plot.current = null;
    };
    // columns are handed over by the effect below; width by setSize
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, visible, width > 0]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.batch(() => {
      u.setData(columns.data as uPlot.AlignedData, true);
      const r = rangeRef.current;
      if (r) u.setScale("x", { min: r[0], max: r[1] });
    });
  }, [columns]);

  useEffect(() => {
    if (plot.current && width > 0) plot.current.setSize({ width, height });
  }, [width, height]);

  const empty = !state.loading && state.error === null && cols.x.length === 0 && state.series !== undefined;
  return (
    <div
      className="series-chart"
      data-testid="series-chart"
      data-path={path}
      data-zoomed={range ? "true" : "false"}
      data-points={cols.x.length}
      data-loading={state.loading ? "true" : "false"}
      data-band={showBand ? "true" : "false"}
    >
      <div className="series-chart-head">
        <span className="series-chart-title">{props.title ?? path}</span>
        {state.loading && <span className="muted">loading…</span>}
        {range && (
          <button type="button" data-testid="chart-reset-zoom" onClick={() => setRange(null)}>
            reset zoom
          </button>
        )}
      </div>
      <div ref={box} className="series-chart-plot" style={{ minHeight: height }}>
        <div ref={plotBox} />
        {state.error && <div className="series-chart-msg error">{state.error}</div>}
        {empty && visible && width > 0 && <div className="series-chart-msg muted">no points</div>}
      </div>
      <ChartLegend uuids={uuids} names={names} cols={cols} columns={columns} idx={hover} />
    </div>
  );
}
