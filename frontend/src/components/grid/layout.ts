// Pure geometry of the virtual grid: which rows and columns a viewport shows, and the
// column edits (move, resize) the header makes. The component only renders what these say.

export interface Range {
  start: number; // first index shown
  end: number; // one past the last index shown
}

/** Rows of fixed height visible in a viewport, widened by ``overscan`` rows each side. */
export function visibleRows(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 5): Range {
  if (count <= 0 || viewport <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + viewport) / rowHeight);
  return { start: Math.max(0, Math.min(count, first - overscan)), end: Math.min(count, last + overscan) };
}

/** Left edges of columns: offsets[i] is where column i starts, offsets[n] the total width. */
export function columnOffsets(widths: number[]): number[] {
  const out = new Array<number>(widths.length + 1);
  out[0] = 0;
  for (let i = 0; i < widths.length; i++) out[i + 1] = out[i] + widths[i];
  return out;
}

/** The index of the column holding x (binary search over the offsets). */
export function columnAt(offsets: number[], x: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  if (hi < 0) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid] <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Columns that intersect [scrollLeft, scrollLeft + viewport), widened by ``overscan``. */
export function visibleColumns(offsets: number[], scrollLeft: number, viewport: number, overscan = 1): Range {
  const n = offsets.length - 1;
  if (n <= 0 || viewport <= 0) return { start: 0, end: 0 };
  const first = columnAt(offsets, Math.max(0, scrollLeft));
  const last = columnAt(offsets, Math.max(0, scrollLeft + viewport - 1));
  return { start: Math.max(0, first - overscan), end: Math.min(n, last + 1 + overscan) };
}

/** The list with the item at ``from`` moved to index ``to`` (clamped); a new array. */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const out = list.slice();
  if (from < 0 || from >= list.length) return out;
  const target = Math.max(0, Math.min(list.length - 1, to));
  const [item] = out.splice(from, 1);
  out.splice(target, 0, item);
  return out;
}

/** Moves column ``path`` before column ``before`` (or to the end when null). */
export function moveColumn(columns: readonly string[], path: string, before: string | null): string[] {
  if (path === before) return columns.slice();
  const out = columns.filter((c) => c !== path);
  if (out.length === columns.length) return columns.slice();
  const at = before === null ? -1 : out.indexOf(before);
  if (at < 0) out.push(path);
  else out.splice(at, 0, path);
  return out;
}

/** Width of a column after dragging its right edge by ``delta`` px, within [min, max]. */
export function resizedWidth(start: number, delta: number, min = 40, max = 2000): number {
  return Math.max(min, Math.min(max, Math.round(start + delta)));
}

/** Default width of a column by its path and type. */
export function defaultWidth(path: string, type?: string): number {
  if (path === "sys/id") return 110;
  if (path === "sys/tags" || type === "string_set") return 200;
  if (type === "datetime" || path.endsWith("_time")) return 175;
  if (path === "sys/state") return 100;
  if (type === "bool") return 80;
  if (type === "float" || type === "int" || type === "float_series") return 110;
  return 150;
}

/** A column path shortened until `fits` says it fits, keeping its last segment, since that is
 * what tells columns apart: "parameters/batch_size" -> "param…/batch_size" -> "…/batch_size"
 * -> "batch_s…". The whole path stays in the header's tooltip. */
export function elidePath(path: string, fits: (text: string) => boolean): string {
  if (fits(path)) return path;
  const cut = path.lastIndexOf("/");
  const head = cut > 0 ? path.slice(0, cut) : "";
  const leaf = cut > 0 ? path.slice(cut + 1) : path;
  if (head) {
    for (let n = head.length - 1; n >= 0; n--) {
      const text = head.slice(0, n) + "…/" + leaf;
      if (fits(text)) return text;
    }
  }
  for (let n = leaf.length - 1; n >= 1; n--) {
    const text = leaf.slice(0, n) + "…";
    if (fits(text)) return text;
  }
  return "…";
}
