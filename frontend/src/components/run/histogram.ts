// Histogram series: string series whose points are the JSON text
// {"type": "COUNTS" | "DENSITIES", "edges": [e0..en], "values": [v0..v(n-1)]}
// (despina/types/histogram.py, written by Run.log_histograms and the Neptune importer).
// Reading a point, recognising such a series, and the bars' geometry: pure functions.

export type HistogramType = "COUNTS" | "DENSITIES";

export interface Histogram {
  type: HistogramType;
  edges: number[];
  values: number[];
}

export type Parsed = { ok: true; histogram: Histogram } | { ok: false; reason: string };

// a point longer than this is not read (512 bins of 17-digit numbers is about 20 KB)
export const MAX_POINT_CHARS = 200_000;

function finiteNumbers(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isFinite(x));
}

/** One point read as a histogram, or the reason it is not one. Never throws. */
export function parseHistogram(text: unknown): Parsed {
  if (typeof text !== "string") return { ok: false, reason: "not text" };
  if (text.length > MAX_POINT_CHARS) return { ok: false, reason: "too long" };
  const t = text.trim();
  if (!t.startsWith("{")) return { ok: false, reason: "not a JSON object" };
  let data: unknown;
  try {
    data = JSON.parse(t);
  } catch {
    return { ok: false, reason: "not valid JSON" };
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) return { ok: false, reason: "not a JSON object" };
  const d = data as Record<string, unknown>;
  const type = typeof d.type === "string" ? d.type.toUpperCase() : "";
  if (type !== "COUNTS" && type !== "DENSITIES") return { ok: false, reason: "type is not COUNTS or DENSITIES" };
  if (!finiteNumbers(d.edges)) return { ok: false, reason: "edges are not finite numbers" };
  if (!finiteNumbers(d.values)) return { ok: false, reason: "values are not finite numbers" };
  const edges = d.edges;
  const values = d.values;
  if (values.length === 0) return { ok: false, reason: "no bins" };
  if (edges.length !== values.length + 1) return { ok: false, reason: `${values.length} values need ${values.length + 1} edges, got ${edges.length}` };
  for (let i = 1; i < edges.length; i++) if (!(edges[i] > edges[i - 1])) return { ok: false, reason: "edges do not increase" };
  return { ok: true, histogram: { type, edges, values } };
}

/** Whether a string series holds histograms: its last point is one, or (the last point being
 * bad) more than half of the first points are. */
export function isHistogramSeries(lastValue: unknown, firstPoints: unknown[] = []): boolean {
  if (parseHistogram(lastValue).ok) return true;
  if (firstPoints.length === 0) return false;
  const good = firstPoints.filter((p) => parseHistogram(p).ok).length;
  return good * 2 > firstPoints.length;
}

/** Whether it is worth reading the first points to decide: the last point looks like JSON
 * (a plain log's last line does not, so plain logs cost no extra request). */
export function mightBeHistogramSeries(lastValue: unknown): boolean {
  return typeof lastValue === "string" && lastValue.trimStart().startsWith("{");
}

export interface Bar {
  /** the bin [lo, hi) */
  lo: number;
  hi: number;
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Geometry {
  bars: Bar[];
  xDomain: [number, number];
  yDomain: [number, number];
  /** pixel x of a value, pixel y of a height */
  xOf: (v: number) => number;
  yOf: (v: number) => number;
}

/** The bars of a histogram in a plot frame: x from the first edge to the last, y from
 * min(0, lowest value) to max(0, highest value), each bar from the zero line to its value. */
export function binGeometry(h: Histogram, frame: Frame): Geometry {
  const x0 = h.edges[0];
  const x1 = h.edges[h.edges.length - 1];
  let lo = 0;
  let hi = 0;
  for (const v of h.values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi === lo) hi = lo + 1; // all zero: an empty chart with a unit axis
  const xOf = (v: number) => frame.left + ((v - x0) / (x1 - x0)) * frame.width;
  const yOf = (v: number) => frame.top + frame.height - ((v - lo) / (hi - lo)) * frame.height;
  const zero = yOf(0);
  const bars = h.values.map((value, i) => {
    const a = xOf(h.edges[i]);
    const b = xOf(h.edges[i + 1]);
    const y = yOf(value);
    return { lo: h.edges[i], hi: h.edges[i + 1], value, x: a, width: b - a, y: Math.min(y, zero), height: Math.abs(zero - y) };
  });
  return { bars, xDomain: [x0, x1], yDomain: [lo, hi], xOf, yOf };
}

/** About `count` round tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * mag;
  const out: number[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  for (let k = first; k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/** A number short enough for an axis or a tooltip. */
export function formatNumber(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(2).replace(/\.?0+e/, "e");
  return String(Number(v.toPrecision(4)));
}
