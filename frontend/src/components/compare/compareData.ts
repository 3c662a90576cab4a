// What the compare page computes from the runs' fields: the float series they share, the
// fields whose values differ, and the numeric fields parallel coordinates can draw.
import type { FieldValue, SeriesSummary } from "../../api/fields";
import { toNumber } from "../../lib/format";
import { formatFieldValue } from "../run/fieldFormat";

export type RunFields = Map<string, FieldValue>;

/** Paths in natural order: layer2 before layer10. */
export const byPath = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

const SIMPLE = new Set(["float", "int", "bool", "string", "datetime", "string_set", "float_series", "git_ref", "file"]);
/** Fields every run has its own value for, so they would always "differ". */
const NOISE = /^(sys\/(id|modification_time|ping_time|creation_time|running_time|monitoring_time|size|custom_run_id)$|monitoring\/)/;

/** Float series paths present in every run (or in any, when `all`). */
export function seriesPaths(runs: RunFields[], all = false): string[] {
  if (runs.length === 0) return [];
  const sets = runs.map((r) => new Set([...r.values()].filter((f) => f.type === "float_series").map((f) => f.path)));
  const union = new Set(sets.flatMap((s) => [...s]));
  return [...union].filter((p) => all || sets.every((s) => s.has(p))).sort(byPath);
}

/** What decides whether two runs' values of a field differ (a series: its last value and
 * length, not when it was written; a file: its content). */
function comparable(f: FieldValue | undefined): string {
  if (!f) return "absent";
  const v = f.value as Record<string, unknown> | null;
  if (f.type === "float_series" && v) return JSON.stringify([v.last_value, v.count]);
  if (f.type === "file" && v) return String(v.hash);
  return JSON.stringify(f.value ?? null);
}

export interface DiffRow {
  path: string;
  values: string[];
  differs: boolean;
}

/** One row per simple field of any run: the value in each run as text, and whether they differ. */
export function diffRows(runs: RunFields[], showAll = false): DiffRow[] {
  const paths = new Set<string>();
  for (const r of runs) for (const f of r.values()) if (SIMPLE.has(f.type) && !NOISE.test(f.path)) paths.add(f.path);
  const rows: DiffRow[] = [];
  for (const path of [...paths].sort(byPath)) {
    const values = runs.map((r) => (r.has(path) ? formatFieldValue(r.get(path), 300) : ""));
    const raw = runs.map((r) => comparable(r.get(path)));
    const differs = raw.some((v) => v !== raw[0]);
    if (showAll || differs) rows.push({ path, values, differs });
  }
  return rows;
}

/** A field's value as a number for parallel coordinates (series: the last value), or null. */
export function numericValue(f: FieldValue | undefined): number | null {
  if (!f) return null;
  let v: number | null = null;
  if (f.type === "float" || f.type === "int") v = toNumber(f.value);
  else if (f.type === "bool") v = f.value ? 1 : 0;
  else if (f.type === "float_series") v = toNumber((f.value as SeriesSummary | null)?.last_value ?? null);
  return v !== null && Number.isFinite(v) ? v : null;
}

/** Numeric paths of any run (sys/ and monitoring/ aside), and those whose values differ. */
export function numericPaths(runs: RunFields[]): { all: string[]; differing: string[] } {
  const paths = new Set<string>();
  for (const r of runs)
    for (const f of r.values()) if (!f.path.startsWith("sys/") && !f.path.startsWith("monitoring/") && numericValue(f) !== null) paths.add(f.path);
  const all = [...paths].sort();
  const differing = all.filter((p) => {
    const vs = runs.map((r) => numericValue(r.get(p)));
    return vs.some((v) => v !== vs[0]);
  });
  return { all, differing };
}

export interface Axis {
  path: string;
  min: number;
  max: number;
}

/** Axes of parallel coordinates, each spanning its values (a flat axis gets a unit span). */
export function axesFor(runs: RunFields[], paths: string[]): Axis[] {
  return paths.map((path) => {
    const vs = runs.map((r) => numericValue(r.get(path))).filter((v): v is number => v !== null);
    let min = vs.length ? Math.min(...vs) : 0;
    let max = vs.length ? Math.max(...vs) : 1;
    if (min === max) {
      min -= 0.5;
      max += 0.5;
    }
    return { path, min, max };
  });
}

/** Where a run's value sits on an axis, 0 (bottom) to 1 (top); null when it has none. */
export function axisPosition(axis: Axis, v: number | null): number | null {
  if (v === null) return null;
  return (v - axis.min) / (axis.max - axis.min);
}

/** Paths of hyper-parameters, by the usual names of their namespace. */
const PARAMS = /^(params|parameters|hparams|hyperparameters|config|cfg|args)\//i;

/** The axes parallel coordinates start with: every param that varies across the runs (up to
 * 12; constant ones left out), then other varied fields up to six axes in all. */
export function defaultAxes(differing: string[]): string[] {
  const params = differing.filter((p) => PARAMS.test(p)).slice(0, 12);
  const others = differing.filter((p) => !PARAMS.test(p));
  return [...params, ...others].slice(0, Math.max(6, params.length));
}
