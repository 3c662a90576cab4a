// The size a widget's chart is drawn at, from its grid cells: the chart is an SVG with this
// viewBox scaled to the widget's width, in the page and in an exported report alike.
import type { Widget } from "../../api/dashboards";
import { lineChart, parallelChart, scatterChart } from "./charts";
import type { WidgetData } from "./data";
import type { El } from "./svg";

export const ROW_PX = 60;
export const COL_PX = 100;
const TITLE_PX = 44;

export function chartSize(w: Pick<Widget, "w" | "h">): { width: number; height: number } {
  return { width: w.w * COL_PX, height: Math.max(60, w.h * ROW_PX - TITLE_PX) };
}

/** The chart of a line, scatter or parallel widget's data; null for the other types. */
export function chartOf(w: Pick<Widget, "w" | "h">, data: WidgetData): El | null {
  const { width, height } = chartSize(w);
  if (data.type === "line") return lineChart(data, width, height);
  if (data.type === "scatter") return scatterChart(data, width, height);
  if (data.type === "parallel") return parallelChart(data, width, height);
  return null;
}

/** An image source a report may keep: a base64 data: URL of a raster image, else null. */
export function safeImageSrc(src: string | null | undefined): string | null {
  return typeof src === "string" && /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$/.test(src) ? src : null;
}

export function formatAggregate(value: number | null): string {
  if (value === null) return "–";
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
