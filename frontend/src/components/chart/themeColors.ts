// The colours of a chart's axes and grid, from the theme's CSS custom properties (styles.css),
// so charts stay readable in dark mode. Read when a chart is made.
import type uPlot from "uplot";

export interface ChartColors {
  axis: string;
  grid: string;
}

export function chartColors(root: Element | null = typeof document !== "undefined" ? document.documentElement : null): ChartColors {
  const style = root ? getComputedStyle(root) : null;
  const read = (name: string, fallback: string) => style?.getPropertyValue(name).trim() || fallback;
  return { axis: read("--chart-axis", "#6b7385"), grid: read("--chart-grid", "rgba(0, 0, 0, 0.07)") };
}

/** The options with every axis's labels, ticks and grid in the theme's colours (an axis's own colours win). */
export function withThemeColors(opts: uPlot.Options, colors: ChartColors = chartColors()): uPlot.Options {
  const axes = (opts.axes ?? [{}, {}]).map((a) => ({
    stroke: colors.axis,
    ...a,
    grid: { stroke: colors.grid, width: 1, ...a.grid },
    ticks: { stroke: colors.grid, width: 1, ...a.ticks },
  }));
  return { ...opts, axes };
}
