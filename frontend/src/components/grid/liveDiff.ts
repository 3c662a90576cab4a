// What a poll of the rows on screen changed: the cells whose value differs from the one held
// for the same run (by sys/id), and the runs not held before (new ones).

export type Row = Record<string, unknown>;

/** The key of one cell among the changed ones. */
export function cellKey(id: unknown, path: string): string {
  return `${String(id)}\u0000${path}`;
}

/** The key marking every cell of a new row. */
export function rowKey(id: unknown): string {
  return cellKey(id, "*");
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Keys of what changed between ``held`` (rows by sys/id) and ``fresh`` rows, for ``columns``:
 * a cell key for each value that changed, a row key for each row not held.
 */
export function changedKeys(held: Map<unknown, Row>, fresh: Row[], columns: string[]): string[] {
  const out: string[] = [];
  for (const r of fresh) {
    const id = r["sys/id"];
    const before = held.get(id);
    if (!before) {
      out.push(rowKey(id));
      continue;
    }
    for (const c of columns) if (!same(before[c], r[c])) out.push(cellKey(id, c));
  }
  return out;
}

/** Held rows by sys/id. */
export function byId(rows: Iterable<Row>): Map<unknown, Row> {
  const m = new Map<unknown, Row>();
  for (const r of rows) m.set(r["sys/id"], r);
  return m;
}

/** How long to wait before the next poll: ``interval``, or ten times what the last one took. */
export function nextPoll(interval: number, tookMs: number): number {
  return Math.max(interval, 10 * tookMs);
}
