// A widget's data computed from the server's routes: runs of its query (tables), their
// series (buckets; a group's mean and min–max band by lib/groups.ts), field values (tables)
// and image files (fields, objects, blobs as data: URLs so a report keeps them).
import { request } from "../../api/client";
import type { Widget } from "../../api/dashboards";
import { containerBySysId, containerField, objectPoints, type FileRef, type SeriesFile } from "../../api/fields";
import { fetchBuckets } from "../../api/series";
import { fetchTable } from "../../api/tables";
import type { ProjectRef } from "../../api/types";
import { formatValue, toNumber } from "../format";
import { bucketValue, groupBand } from "../groups";
import type { DrawnWidget, LineTrace } from "./data";

export const LINE_RUNS = 50;
export const IMAGE_RUNS = 24;
export const MAX_IMAGE_BYTES = 400_000;
const POINTS_RUNS = 1000;
const BUCKETS = 200;

async function table(p: ProjectRef, query: string, columns: string[], limit: number, signal: AbortSignal, sort?: { path: string; dir: string } | null) {
  const t = await fetchTable(
    p,
    "run",
    { filter: query, columns, limit, sort_by: sort?.path, ascending: sort ? sort.dir === "asc" : undefined },
    signal,
  );
  const idx = (c: string) => t.columns.indexOf(c);
  const id = idx("sys/id");
  return { t, ids: t.rows.map((r) => String(r[id])), col: (r: unknown[], c: string) => (idx(c) >= 0 ? r[idx(c)] : undefined) };
}

const num = (v: unknown): number | null => {
  const n = toNumber(v);
  return n === null || !Number.isFinite(n) ? null : n;
};

function dataUrl(bytes: ArrayBuffer, extension: string): string | null {
  const mime = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp" }[extension.toLowerCase()];
  if (!mime) return null;
  let bin = "";
  const u = new Uint8Array(bytes);
  for (let i = 0; i < u.length; i += 0x8000) bin += String.fromCharCode(...u.subarray(i, i + 0x8000));
  return `data:${mime};base64,${btoa(bin)}`;
}

async function imageOf(uuid: string, field: string, step: number | null, signal: AbortSignal): Promise<{ ref: FileRef | null; step: number | null; note: string }> {
  const f = await containerField(uuid, field, signal);
  if (!f) return { ref: null, step: null, note: "no such field" };
  if (f.type === "file") return { ref: f.value as FileRef, step: null, note: "" };
  if (f.type !== "file_series") return { ref: null, step: null, note: `not an image (${f.type})` };
  const count = (f.value as { count?: number }).count ?? 0;
  if (!count) return { ref: null, step: null, note: "no images" };
  // the point at `step` (or the last): the last page first, then a search from the start
  const page = await objectPoints<SeriesFile>(uuid, field, step === null ? count - 1 : 0, step === null ? 1 : Math.min(count, 1000), signal);
  const k = step === null ? 0 : page.steps.findIndex((s) => Number(s) === step);
  if (k < 0) return { ref: null, step, note: `no image at step ${step}` };
  return { ref: page.values[k].file, step: Number(page.steps[k]), note: page.values[k].name };
}

/** The data a widget draws, and the runs (sys/ids) it read. */
export async function computeWidget(p: ProjectRef, w: Widget, signal: AbortSignal): Promise<DrawnWidget> {
  switch (w.type) {
    case "markdown":
      return { data: { type: "markdown", text: w.text }, runs: [] };
    case "table": {
      const { t, ids } = await table(p, w.query, w.columns, w.limit, signal, w.sort);
      const at = w.columns.map((c) => t.columns.indexOf(c));
      const rows = t.rows.map((r) => at.map((k, i) => (k < 0 ? "" : formatValue(r[k], t.types[w.columns[i]], w.columns[i]))));
      return { data: { type: "table", columns: w.columns, rows, total: t.total ?? rows.length }, runs: ids };
    }
    case "value": {
      const newest = w.aggregate === "last" ? { path: "sys/creation_time", dir: "desc" } : null;
      const { t, ids, col } = await table(p, w.query, [w.field], POINTS_RUNS, signal, newest);
      const values = t.rows.map((r) => num(col(r, w.field))).filter((v): v is number => v !== null);
      let value: number | null = null;
      if (w.aggregate === "count") value = values.length;
      else if (values.length)
        value =
          w.aggregate === "last" ? values[0] : w.aggregate === "min" ? Math.min(...values) : w.aggregate === "max" ? Math.max(...values) : values.reduce((a, b) => a + b, 0) / values.length;
      return { data: { type: "value", field: w.field, aggregate: w.aggregate, value, count: values.length }, runs: ids };
    }
    case "scatter": {
      const { t, ids, col } = await table(p, w.query, [w.x_field, w.y_field], POINTS_RUNS, signal);
      const points = t.rows.flatMap((r, i) => {
        const x = num(col(r, w.x_field));
        const y = num(col(r, w.y_field));
        return x === null || y === null ? [] : [{ id: ids[i], x, y }];
      });
      return { data: { type: "scatter", x_field: w.x_field, y_field: w.y_field, points }, runs: ids };
    }
    case "parallel": {
      const { t, ids, col } = await table(p, w.query, w.fields, POINTS_RUNS, signal);
      const rows = t.rows.map((r, i) => ({ id: ids[i], values: w.fields.map((f) => num(col(r, f))) }));
      return { data: { type: "parallel", fields: w.fields, rows }, runs: ids };
    }
    case "images": {
      const { ids } = await table(p, w.query, [], IMAGE_RUNS, signal);
      const images = await Promise.all(
        ids.map(async (id) => {
          const info = await containerBySysId(p, id, signal, "run");
          const shot = await imageOf(info.uuid, w.field, w.step, signal);
          if (!shot.ref) return { id, step: shot.step, src: null, note: shot.note };
          if (shot.ref.size > MAX_IMAGE_BYTES) return { id, step: shot.step, src: null, note: "image too big to embed" };
          const res = await request(`/blobs/${encodeURIComponent(shot.ref.hash)}`, { signal });
          const src = dataUrl(await res.arrayBuffer(), shot.ref.extension);
          return { id, step: shot.step, src, note: src ? shot.note : `not an image (.${shot.ref.extension})` };
        }),
      );
      return { data: { type: "images", field: w.field, images }, runs: ids };
    }
    case "line": {
      const columns = w.group ? [w.group] : [];
      const { t, ids, col } = await table(p, w.query, columns, LINE_RUNS, signal);
      const infos = await Promise.all(ids.map((id) => containerBySysId(p, id, signal, "run")));
      const uuids = infos.map((i) => i.uuid);
      const x = w.xaxis === "step" ? "step" : "time";
      const traces: LineTrace[] = [];
      for (const path of w.series) {
        if (!uuids.length) break;
        const answer = await fetchBuckets(p, { uuids, path, x, x_min: null, x_max: null, buckets: BUCKETS, log_x: false }, signal);
        if (w.group) {
          const groups = new Map<string, string[]>();
          t.rows.forEach((r, i) => {
            const key = formatValue(col(r, w.group as string), t.types[w.group as string]) || "(none)";
            groups.set(key, [...(groups.get(key) ?? []), uuids[i]]);
          });
          for (const [key, members] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
            const band = groupBand(answer.series.filter((s) => members.includes(s.uuid)), "minmax");
            if (band.x.length) traces.push({ label: `${w.group} = ${key}`, path, x: band.x, y: band.mean, low: band.low, high: band.high });
          }
        } else
          for (const s of answer.series) {
            const origin = w.xaxis === "relative" ? s.edges[0] : 0;
            const xs = s.edges.slice(0, -1).map((e, i) => (e + s.edges[i + 1]) / 2 - origin);
            const ys = xs.map((_, i) => bucketValue(s, i));
            const keep = ys.map((v, i) => (v === null ? -1 : i)).filter((i) => i >= 0);
            traces.push({ label: ids[uuids.indexOf(s.uuid)] ?? s.uuid, path, x: keep.map((i) => xs[i]), y: keep.map((i) => ys[i]) });
          }
      }
      return { data: { type: "line", xaxis: w.xaxis, traces }, runs: ids };
    }
  }
}
