// The log viewer's data: lines fetched in pages of PAGE, kept in a cache; only the pages the
// visible window needs are asked for, so 100,000 lines cost what a screenful costs.

export const PAGE = 1000;

export interface LogLine {
  step: number;
  timestamp: number;
  text: string;
}

/** Page indexes covering lines [start, end) (end exclusive), clamped to `count`. */
export function pagesFor(start: number, end: number, count: number, page = PAGE): number[] {
  const lo = Math.max(0, Math.floor(start / page));
  const hi = Math.min(Math.ceil(Math.min(end, count) / page), Math.ceil(count / page));
  const out: number[] = [];
  for (let p = lo; p < hi; p++) out.push(p);
  return out;
}

export class LineCache {
  private pages = new Map<number, LogLine[]>();
  private pending = new Set<number>();
  constructor(readonly page = PAGE) {}

  line(i: number): LogLine | undefined {
    return this.pages.get(Math.floor(i / this.page))?.[i % this.page];
  }

  /** Pages of [start, end) neither held nor being fetched; they are marked as being fetched. */
  claimMissing(start: number, end: number, count: number): number[] {
    const out = pagesFor(start, end, count, this.page).filter((p) => !this.pages.has(p) && !this.pending.has(p));
    out.forEach((p) => this.pending.add(p));
    return out;
  }

  put(page: number, lines: LogLine[]): void {
    this.pending.delete(page);
    this.pages.set(page, lines);
  }

  fail(page: number): void {
    this.pending.delete(page);
  }

  /** The series grew to `count` lines: a page that was short must be fetched again. */
  grow(count: number): void {
    for (const [p, lines] of this.pages) if (lines.length < this.page && p * this.page + lines.length < count) this.pages.delete(p);
  }

  has(page: number): boolean {
    return this.pages.has(page);
  }
}

/** Indexes of the lines containing `query` (case-insensitive). */
export function searchLines(lines: readonly (LogLine | undefined)[], query: string): number[] {
  const q = query.toLowerCase();
  const out: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l && l.text.toLowerCase().includes(q)) out.push(i);
  }
  return out;
}

// colour and cursor escape sequences (coloured loggers, progress bars): shown as plain text
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/** Server points (JSON) as lines, terminal escape sequences removed. */
export function toLines(points: { steps: (number | string)[]; values: unknown[]; timestamps: (number | string)[] }): LogLine[] {
  return points.values.map((v, i) => ({
    step: Number(points.steps[i]),
    timestamp: Number(points.timestamps[i]),
    text: (typeof v === "string" ? v : JSON.stringify(v)).replace(ANSI, ""),
  }));
}
