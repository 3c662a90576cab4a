// uPlot options for a series chart: one line per run, its min/max band, NaN/Inf markers drawn
// on the canvas, drag to zoom in x (the caller re-fetches buckets for the new range).
import uPlot from "uplot";
import { selectionRange, type Marker, type XKind } from "../../lib/series";
import { runColor, withAlpha } from "./colors";
import { withThemeColors } from "./themeColors";
import { durationTicks, labelWidth, numberTicks, timeTicks } from "./ticks";

export interface PlotHandlers {
  /** the markers to draw, read at draw time so new data needs no new chart */
  markers: () => Marker[];
  onZoom: (range: [number, number]) => void;
  onReset: () => void;
  onHover: (idx: number | null) => void;
}

const MARKER_COLORS: Record<Marker["kind"], string> = { nan: "#c0392b", "+inf": "#7048e8", "-inf": "#7048e8" };

function drawMarkers(u: uPlot, markers: Marker[]): void {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const px = uPlot.pxRatio;
  const size = 4 * px;
  ctx.save();
  for (const m of markers) {
    const x = u.valToPos(m.x, "x", true);
    if (x < left || x > left + width) continue;
    ctx.fillStyle = MARKER_COLORS[m.kind];
    ctx.strokeStyle = runColor(m.run);
    ctx.lineWidth = px;
    ctx.beginPath();
    if (m.kind === "+inf") {
      const y = top + size + 1;
      ctx.moveTo(x, y - size);
      ctx.lineTo(x - size, y + size);
      ctx.lineTo(x + size, y + size);
    } else if (m.kind === "-inf") {
      const y = top + height - size - 1;
      ctx.moveTo(x, y + size);
      ctx.lineTo(x - size, y - size);
      ctx.lineTo(x + size, y - size);
    } else {
      ctx.arc(x, top + height - size - 1, size, 0, 2 * Math.PI);
    }
    ctx.closePath();
    ctx.fill();
    ctx.stroke();
  }
  ctx.restore();
}

/** Labels are drawn on the canvas; the last drawn set of each axis is kept on the chart's
 * element as data-x-ticks / data-y-ticks (one label per line) for tests and benchmarks. */
function shown(u: uPlot, axis: "x" | "y", labels: string[]): string[] {
  u.root.dataset[axis === "x" ? "xTicks" : "yTicks"] = labels.map((s) => s.replace(/\n/g, " ")).join("\n");
  return labels;
}

export function plotOptions(args: {
  width: number;
  height: number;
  runs: number;
  showBand: boolean;
  xKind: XKind;
  logX: boolean;
  logY: boolean;
  /** a fixed y range (hardware: 0-100 %), else from the data */
  yRange?: [number, number];
  handlers: PlotHandlers;
}): uPlot.Options {
  const { runs, showBand, xKind, logX, logY, yRange, handlers } = args;
  const xTicks = xKind === "relative" ? durationTicks : xKind === "time" ? timeTicks : numberTicks;
  const series: uPlot.Series[] = [{}];
  const bands: uPlot.Band[] = [];
  for (let i = 0; i < runs; i++) {
    const color = runColor(i);
    series.push({ stroke: color, width: 1.5, spanGaps: true, points: { show: false } });
    if (showBand) {
      const top = series.length;
      series.push({ stroke: "transparent", width: 0, spanGaps: true, points: { show: false } });
      series.push({ stroke: "transparent", width: 0, spanGaps: true, points: { show: false } });
      bands.push({ series: [top, top + 1], fill: withAlpha(color, 0.15) });
    }
  }
  return withThemeColors({
    width: args.width,
    height: args.height,
    legend: { show: false },
    // charts of one page share the cursor, so a step can be read across a grid
    cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false }, sync: { key: "despina" } },
    scales: {
      x: { time: xKind === "time", distr: logX ? 3 : 1 },
      y: yRange && !logY ? { range: yRange } : { distr: logY ? 3 : 1 },
    },
    axes: [
      {
        values: (u, splits) => shown(u, "x", xTicks(splits)),
        // ticks far enough apart for labels as long as theirs (a tiny span needs long ones)
        space: (_u, _axis, min, max) => {
          const sample = Array.from({ length: 5 }, (_, k) => min + ((max - min) * k) / 4);
          return Math.max(50, labelWidth(xTicks(sample)) + 8);
        },
      },
      {
        values: (u, splits) => shown(u, "y", numberTicks(splits)),
        size: (_u, values) => Math.max(40, labelWidth(values ?? [])),
      },
    ],
    series,
    bands,
    hooks: {
      setSelect: [
        (u) => {
          if (u.select.width < 3) return;
          const a = u.posToVal(u.select.left, "x");
          const b = u.posToVal(u.select.left + u.select.width, "x");
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          const range = selectionRange(a, b);
          if (range) handlers.onZoom(range);
        },
      ],
      setLegend: [(u) => handlers.onHover(u.cursor.idx ?? null)],
      draw: [
        (u) => {
          drawMarkers(u, handlers.markers());
          // counted for the browser benchmarks and tests: they wait for the next draw
          u.root.dataset.draws = String(Number(u.root.dataset.draws ?? 0) + 1);
        },
      ],
      ready: [(u) => u.over.addEventListener("dblclick", () => handlers.onReset())],
    },
  });
}
