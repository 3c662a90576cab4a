// Pure transforms behind the series chart: the buckets route's JSON -> uPlot columns (one
// line per run, a min/max band, NaN/Inf markers), EMA smoothing, and the zoom range ->
// request(s). No DOM here, so every step is tested by lib/series.test.ts.

/** How the server writes a float in JSON: NaN as null, ±Inf as strings (first/last only). */
export type JsonFloat = number | null | "NaN" | "Infinity" | "-Infinity";

/** What the x axis shows: the step, the absolute time, or the time since the series began. */
export type XKind = "step" | "time" | "relative";
/** What one bucket's point is: the mean of its finite values or its last value. */
export type ValueKind = "mean" | "last";

export interface BucketsRequest {
  uuids: string[];
  path: string;
  x: "step" | "time";
  x_min: number | null;
  x_max: number | null;
  buckets: number;
  log_x: boolean;
}

export interface BucketSeries {
  uuid: string;
  path: string;
  x: "step" | "time";
  edges: number[]; // n + 1
  first: JsonFloat[];
  last: JsonFloat[];
  min: (number | null)[];
  max: (number | null)[];
  sum: (number | null)[];
  count: number[];
  nan_count: number[];
  pos_inf_count: number[];
  neg_inf_count: number[];
}

export interface BucketsResponse {
  series: BucketSeries[];
}

export type MarkerKind = "nan" | "+inf" | "-inf";

export interface Marker {
  x: number;
  run: number; // index into ChartColumns.runs
  kind: MarkerKind;
  count: number;
}

export interface RunColumns {
  uuid: string;
  value: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
}

/** Every run on one shared, sorted x grid (null where a run has no bucket at that x). */
export interface ChartColumns {
  x: number[];
  runs: RunColumns[];
  markers: Marker[];
}

export interface ColumnOptions {
  value: ValueKind;
  xKind: XKind;
  logX: boolean;
  logY: boolean;
  /** Where relative time starts, per run uuid (seconds since the epoch). */
  origins?: Record<string, number>;
}

/** A JSON float as a number: NaN for null and "NaN", ±Infinity for the strings. */
export function toNumber(v: JsonFloat | undefined): number {
  if (v === null || v === undefined || v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return v;
}

/** The x where a bucket is drawn: its centre (geometric centre on a log axis). */
export function bucketCentre(lo: number, hi: number, logX: boolean): number {
  if (logX && lo > 0 && hi > 0) return Math.sqrt(lo * hi);
  return (lo + hi) / 2;
}

/** Mean of the bucket's finite values, or null when it has none. */
export function bucketMean(s: BucketSeries, i: number): number | null {
  const finite = s.count[i] - s.nan_count[i] - s.pos_inf_count[i] - s.neg_inf_count[i];
  const sum = s.sum[i];
  if (finite <= 0 || sum === null || sum === undefined) return null;
  return sum / finite;
}

function finiteOrNull(v: number | null | undefined, logY: boolean): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  if (logY && v <= 0) return null; // a log axis cannot show it
  return v;
}

/** One run's points before joining: x, value, min, max (empty buckets dropped). */
interface RunPoints {
  xs: number[];
  value: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
}

function runPoints(s: BucketSeries, opts: ColumnOptions, runIndex: number, markers: Marker[]): RunPoints {
  const out: RunPoints = { xs: [], value: [], min: [], max: [] };
  const shift = opts.xKind === "relative" ? (opts.origins?.[s.uuid] ?? s.edges[0] ?? 0) : 0;
  const n = Math.min(s.count.length, s.edges.length - 1);
  for (let i = 0; i < n; i++) {
    if (!s.count[i]) continue;
    const x = bucketCentre(s.edges[i], s.edges[i + 1], opts.logX) - shift;
    if (opts.logX && x <= 0) continue;
    const raw = opts.value === "mean" ? bucketMean(s, i) : toNumber(s.last[i]);
    out.xs.push(x);
    out.value.push(finiteOrNull(raw, opts.logY));
    out.min.push(finiteOrNull(s.min[i], opts.logY));
    out.max.push(finiteOrNull(s.max[i], opts.logY));
    const kinds: [MarkerKind, number][] = [
      ["nan", s.nan_count[i] ?? 0],
      ["+inf", s.pos_inf_count[i] ?? 0],
      ["-inf", s.neg_inf_count[i] ?? 0],
    ];
    for (const [kind, count] of kinds) if (count > 0) markers.push({ x, run: runIndex, kind, count });
  }
  return out;
}

/**
 * The buckets of several runs on one x grid, in the order of `uuids` (a run the answer
 * lacks gets an empty column, so colours stay with their runs).
 */
export function bucketsToColumns(series: BucketSeries[], uuids: string[], opts: ColumnOptions): ChartColumns {
  const markers: Marker[] = [];
  const byUuid = new Map<string, BucketSeries>();
  for (const s of series) byUuid.set(s.uuid, s);
  const points = uuids.map((u, i) => {
    const s = byUuid.get(u);
    return s ? runPoints(s, opts, i, markers) : { xs: [], value: [], min: [], max: [] };
  });
  const all = new Float64Array(points.reduce((n, p) => n + p.xs.length, 0));
  let k = 0;
  for (const p of points) for (const x of p.xs) all[k++] = x;
  all.sort();
  const x: number[] = [];
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) x.push(all[i]);
  const index = new Map<number, number>();
  x.forEach((v, i) => index.set(v, i));
  const runs = points.map((p, r) => {
    const value = new Array<number | null>(x.length).fill(null);
    const min = new Array<number | null>(x.length).fill(null);
    const max = new Array<number | null>(x.length).fill(null);
    p.xs.forEach((xv, j) => {
      const at = index.get(xv)!;
      value[at] = p.value[j];
      min[at] = p.min[j];
      max[at] = p.max[j];
    });
    return { uuid: uuids[r], value, min, max };
  });
  return { x, runs, markers };
}

/**
 * Exponential moving average with the start debiased (as TensorBoard does), skipping nulls.
 * weight 0 leaves the values as they are; weight near 1 smooths hard.
 */
export function emaSmooth(values: (number | null)[], weight: number): (number | null)[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  if (w === 0) return values.slice();
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    last = last * w + (1 - w) * v;
    n++;
    return last / (1 - Math.pow(w, n));
  });
}

/** uPlot's columns: [x, then per run: line, band top (max), band bottom (min)]. */
export interface UplotColumns {
  data: (number | null)[][];
  /** Per run, the [top, bottom] series indexes of its band. */
  bands: [number, number][];
  /** Per run, the series index of its line. */
  lines: number[];
}

export function toUplotColumns(cols: ChartColumns, smoothing: number, showBand = true): UplotColumns {
  const data: (number | null)[][] = [cols.x];
  const bands: [number, number][] = [];
  const lines: number[] = [];
  for (const run of cols.runs) {
    lines.push(data.length);
    data.push(smoothing > 0 ? emaSmooth(run.value, smoothing) : run.value);
    if (showBand) {
      bands.push([data.length, data.length + 1]);
      data.push(run.max, run.min);
    }
  }
  return { data, bands, lines };
}

/** The requests for one chart; relative time needs one per run, since each run starts elsewhere. */
export function bucketRequests(args: {
  uuids: string[];
  path: string;
  xKind: XKind;
  logX: boolean;
  range: [number, number] | null;
  buckets: number;
  origins?: Record<string, number>;
}): BucketsRequest[] {
  const { uuids, path, xKind, logX, range } = args;
  const buckets = Math.max(1, Math.min(1000, Math.round(args.buckets)));
  const x = xKind === "step" ? "step" : "time";
  const base = { path, x, buckets, log_x: logX } as const;
  if (xKind !== "relative") {
    return [{ ...base, uuids, x_min: range ? range[0] : null, x_max: range ? range[1] : null }];
  }
  return uuids.map((u) => {
    const origin = args.origins?.[u];
    const zoomed = range !== null && origin !== undefined;
    return {
      ...base,
      uuids: [u],
      x_min: zoomed ? origin + range[0] : null,
      x_max: zoomed ? origin + range[1] : null,
    };
  });
}

/** A drag selection in x (pixels turned into values by the caller) as a zoom range, or null. */
export function selectionRange(a: number, b: number): [number, number] | null {
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === b) return null;
  return a < b ? [a, b] : [b, a];
}

/** Where relative time starts for each run: the first edge of its unzoomed buckets. */
export function originsOf(series: BucketSeries[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of series) {
    if (s.edges.length === 0) continue;
    const first = s.count.findIndex((c) => c > 0);
    out[s.uuid] = s.edges[first >= 0 ? first : 0];
  }
  return out;
}

/** "1:02:03", "2:03" or "3.5s": seconds since a run began, for the relative-time axis. */
export function formatDuration(seconds: number): string {
  const sign = seconds < 0 ? "-" : "";
  let s = Math.abs(seconds);
  if (s < 60) return `${sign}${Number(s.toFixed(s < 10 ? 2 : 1))}s`;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  const sec = Math.floor(s - m * 60);
  const pad = (v: number) => String(v).padStart(2, "0");
  return h > 0 ? `${sign}${h}:${pad(m)}:${pad(sec)}` : `${sign}${m}:${pad(sec)}`;
}

/** Chart options as kept in the URL query. */
export interface ChartOptions {
  xKind: XKind;
  value: ValueKind;
  smoothing: number;
  logX: boolean;
  logY: boolean;
}

export const DEFAULT_CHART_OPTIONS: ChartOptions = {
  xKind: "step",
  value: "mean",
  smoothing: 0,
  logX: false,
  logY: false,
};

export function chartOptionsFromQuery(q: URLSearchParams): ChartOptions {
  const x = q.get("x");
  const smoothing = Number(q.get("smooth") ?? 0);
  return {
    xKind: x === "time" || x === "relative" ? x : "step",
    value: q.get("value") === "last" ? "last" : "mean",
    smoothing: Number.isFinite(smoothing) ? Math.min(Math.max(smoothing, 0), 0.99) : 0,
    logX: q.get("logx") === "1",
    logY: q.get("logy") === "1",
  };
}

export function chartOptionsToQuery(o: ChartOptions, q: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams(q);
  const set = (k: string, v: string | null) => (v === null ? out.delete(k) : out.set(k, v));
  set("x", o.xKind === "step" ? null : o.xKind);
  set("value", o.value === "mean" ? null : o.value);
  set("smooth", o.smoothing > 0 ? String(o.smoothing) : null);
  set("logx", o.logX ? "1" : null);
  set("logy", o.logY ? "1" : null);
  return out;
}
