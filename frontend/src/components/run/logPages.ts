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

// ---- search: the server finds the matching lines (GET .../search/{path}); the app keeps
// pages of SEARCH_PAGE matches, fetched as they scroll into view, like LineCache's lines.

export const SEARCH_PAGE = 1000;

export interface LogMatch {
  /** The line's position in the series (0 for the first line). */
  index: number;
  line: LogLine;
}

/** A page of matches as the server sends it (api/fields.ts `PointMatches`). */
export interface MatchAnswer {
  indexes: number[];
  steps: (number | string)[];
  values: unknown[];
  timestamps: (number | string)[];
  total: number;
}

/** The matches of one search text, held page by page. `total` is null until the first answer. */
export class MatchPages {
  total: number | null = null;
  private pages = new Map<number, LogMatch[]>();
  private pending = new Set<number>();
  private stale = false;
  constructor(
    readonly text: string,
    readonly page = SEARCH_PAGE,
  ) {}

  match(i: number): LogMatch | undefined {
    return this.pages.get(Math.floor(i / this.page))?.[i % this.page];
  }

  /** Pages of matches [start, end) neither held nor being fetched, marked as being fetched:
   * the first page while the total is unknown, and the last one after `grow`. */
  claimMissing(start: number, end: number): number[] {
    let want: number[];
    if (this.total === null) want = [0];
    else {
      want = pagesFor(start, end, this.total, this.page);
      const lastPage = Math.max(0, Math.ceil(this.total / this.page) - 1);
      if (this.stale && !want.includes(lastPage)) want.push(lastPage);
    }
    const out = want.filter((p) => !this.pages.has(p) && !this.pending.has(p));
    out.forEach((p) => this.pending.add(p));
    return out;
  }

  put(page: number, answer: MatchAnswer): void {
    this.pending.delete(page);
    const lines = toLines(answer);
    this.pages.set(
      page,
      answer.indexes.map((index, i) => ({ index, line: lines[i] })),
    );
    this.total = answer.total;
    // lines were added (a live run): matches only ever come after the ones held, so only a
    // short page that no longer reaches the last match is asked again
    for (const [p, held] of this.pages) if (held.length < this.page && p * this.page + held.length < this.total) this.pages.delete(p);
    this.stale = false;
  }

  fail(page: number): void {
    this.pending.delete(page);
  }

  /** The series grew: its new lines may match, so the last page and the total are asked again. */
  grow(): void {
    if (this.total === null) return;
    this.pages.delete(Math.max(0, Math.ceil(this.total / this.page) - 1));
    this.stale = true;
  }
}

/** A-Z lowered, every other character kept: the server's search rule (despina/store/search.py). */
export function foldAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** `text` cut into [part, isMatch] pieces around each occurrence of `query` (the server's rule),
 * for highlighting. */
export function highlightParts(text: string, query: string): [string, boolean][] {
  if (!query) return [[text, false]];
  const hay = foldAscii(text);
  const q = foldAscii(query);
  const out: [string, boolean][] = [];
  let at = 0;
  for (let i = hay.indexOf(q); i >= 0; i = hay.indexOf(q, i + q.length)) {
    if (i > at) out.push([text.slice(at, i), false]);
    out.push([text.slice(i, i + q.length), true]);
    at = i + q.length;
  }
  if (at < text.length || !out.length) out.push([text.slice(at), false]);
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
