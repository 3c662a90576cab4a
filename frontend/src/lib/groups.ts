// Pure helpers of the grouped runs table and of group charts: which columns aggregate, how a
// group's key and aggregates read, the filter of a group's runs, and a group's band (mean with
// min–max or ± std) over runs' bucketed series.
import { formatDatetime, formatNumber, toNumber } from "./format";
import type { BucketSeries } from "./series";

/** Field types whose values the server aggregates (a float series: its last value). */
export const NUMERIC_TYPES = ["float", "int", "float_series"];
const NUMERIC_SYS = ["sys/running_time", "sys/size"];

export function aggregatable(path: string, type: string | undefined): boolean {
  return NUMERIC_SYS.includes(path) || (type !== undefined && NUMERIC_TYPES.includes(type));
}

/** A group key value as text; null is the group of runs without the field. */
export function keyText(value: unknown, type: string | null): string {
  if (value === null || value === undefined || type === null) return "(none)";
  if (type === "float" || type === "floatSeries") {
    const x = toNumber(value);
    return x === null ? String(value) : formatNumber(x);
  }
  if (type === "datetime" && (typeof value === "string" || typeof value === "number")) return formatDatetime(value);
  if (type === "bool") return value ? "true" : "false";
  return String(value);
}

/** An aggregate as text: "–" when the group has no value. */
export function aggregateText(value: unknown): string {
  const x = toNumber(value);
  return x === null ? "–" : formatNumber(x);
}

/** The query of a group's runs: the table's filter and the group's, joined by AND. */
export function groupFilter(tableFilter: string, groupNql: string): string {
  return tableFilter.trim() ? `(${tableFilter}) AND (${groupNql})` : groupNql;
}

export type BandKind = "minmax" | "std";

export interface Band {
  x: number[];
  mean: (number | null)[];
  low: (number | null)[];
  high: (number | null)[];
  /** Runs with a value at each x. */
  runs: number[];
}

/** The value of one run's bucket: its mean over the finite points, or null without one. */
export function bucketValue(s: BucketSeries, i: number): number | null {
  const sum = s.sum[i];
  const n = s.count[i] - (s.nan_count[i] ?? 0) - (s.pos_inf_count[i] ?? 0) - (s.neg_inf_count[i] ?? 0);
  if (sum === null || sum === undefined || !(n > 0)) return null;
  return sum / n;
}

/**
 * A group's band over the bucketed series of its runs (one request: the edges are shared):
 * at each bucket (its middle as x) the mean of the runs' values and, per ``kind``, their min
 * and max or mean ± population std. Buckets no run has are left out.
 */
export function groupBand(series: BucketSeries[], kind: BandKind): Band {
  const band: Band = { x: [], mean: [], low: [], high: [], runs: [] };
  if (!series.length) return band;
  const edges = series.reduce((a, s) => (s.edges.length > a.length ? s.edges : a), series[0].edges);
  for (let i = 0; i + 1 < edges.length; i++) {
    const values: number[] = [];
    for (const s of series) {
      if (s.edges.length !== edges.length || s.edges[i] !== edges[i]) continue;
      const v = bucketValue(s, i);
      if (v !== null && Number.isFinite(v)) values.push(v);
    }
    if (!values.length) continue;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) * (b - mean), 0) / values.length;
    const std = Math.sqrt(variance);
    band.x.push((edges[i] + edges[i + 1]) / 2);
    band.mean.push(mean);
    band.low.push(kind === "std" ? mean - std : Math.min(...values));
    band.high.push(kind === "std" ? mean + std : Math.max(...values));
    band.runs.push(values.length);
  }
  return band;
}

/** Population mean and std of numbers (the aggregates' definition), for checks and tests. */
export function meanStd(values: number[]): { mean: number; std: number } | null {
  if (!values.length) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const v = values.reduce((a, b) => a + (b - mean) * (b - mean), 0) / values.length;
  return { mean, std: Math.sqrt(v) };
}
