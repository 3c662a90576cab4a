// Rows of a large table fetched in pages as the user scrolls. The cache keeps the pages it
// has (up to ``maxPages``, evicting those furthest from what is on screen), knows which are
// on their way, and tells which pages a range of rows still needs.

export class PageCache<Row> {
  private pages = new Map<number, Row[]>();
  private pending = new Map<number, AbortController>();
  private refused = new Set<number>();

  constructor(
    readonly pageSize = 200,
    readonly maxPages = 100,
  ) {}

  /** The page a row falls in. */
  pageOf(row: number): number {
    return Math.floor(row / this.pageSize);
  }

  /** Pages covering rows [start, end). */
  pagesFor(start: number, end: number): number[] {
    if (end <= start) return [];
    const out: number[] = [];
    for (let p = this.pageOf(start); p <= this.pageOf(end - 1); p++) out.push(p);
    return out;
  }

  /** Pages covering [start, end) that are neither held nor on their way. */
  missing(start: number, end: number): number[] {
    return this.pagesFor(start, end).filter((p) => !this.pages.has(p) && !this.pending.has(p) && !this.refused.has(p));
  }

  has(page: number): boolean {
    return this.pages.has(page);
  }

  isPending(page: number): boolean {
    return this.pending.has(page);
  }

  /** A row, or undefined while its page is not here. */
  get(row: number): Row | undefined {
    const page = this.pages.get(this.pageOf(row));
    return page?.[row % this.pageSize];
  }

  /** Marks a page as requested; the controller lets ``cancelOutside`` abort it. */
  begin(page: number): AbortController {
    const c = new AbortController();
    this.pending.set(page, c);
    return c;
  }

  /** Stores a fetched page, then evicts the pages furthest from ``near`` beyond maxPages. */
  put(page: number, rows: Row[], near = page): void {
    this.pending.delete(page);
    this.pages.set(page, rows);
    if (this.pages.size <= this.maxPages) return;
    const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - near) - Math.abs(a - near));
    for (const p of far.slice(0, this.pages.size - this.maxPages)) this.pages.delete(p);
  }

  /**
   * Forgets a request that failed or was aborted, so it can be asked again; unless
   * ``refused`` (the server said the request itself is wrong, such as a bad query): asking
   * again would get the same answer, so the page is not asked for until ``clear``.
   */
  fail(page: number, refused = false): void {
    this.pending.delete(page);
    if (refused) this.refused.add(page);
  }

  /** Aborts requests for pages outside [first, last]: the user scrolled past them. */
  cancelOutside(first: number, last: number): number[] {
    const cancelled: number[] = [];
    for (const [p, c] of this.pending) {
      if (p < first || p > last) {
        c.abort();
        this.pending.delete(p);
        cancelled.push(p);
      }
    }
    return cancelled;
  }

  /** Replaces one row where it is held (after an edit), by a predicate. */
  update(match: (row: Row) => boolean, fn: (row: Row) => Row): void {
    for (const [p, rows] of this.pages) {
      if (rows.some(match)) this.pages.set(p, rows.map((r) => (match(r) ? fn(r) : r)));
    }
  }

  /**
   * Writes rows fetched again from ``start`` on (a poll of the rows on screen) into the pages
   * held; rows of pages not held are left out (they are fetched when scrolled to).
   */
  setRows(start: number, rows: Row[]): void {
    const copied = new Set<number>();
    for (let i = 0; i < rows.length; i++) {
      const p = this.pageOf(start + i);
      let page = this.pages.get(p);
      if (!page) continue;
      if (!copied.has(p)) {
        page = page.slice();
        this.pages.set(p, page);
        copied.add(p);
      }
      page[(start + i) % this.pageSize] = rows[i];
    }
  }

  /**
   * Forgets the held pages outside [first, last] (rows moved: new ones came in above them),
   * so they are fetched again when scrolled to.
   */
  keepOnly(first: number, last: number): void {
    for (const p of [...this.pages.keys()]) if (p < first || p > last) this.pages.delete(p);
  }

  /** Aborts what is on its way, keeping the pages held. */
  abortAll(): void {
    for (const c of this.pending.values()) c.abort();
    this.pending.clear();
  }

  /** Drops everything and aborts what is on its way. */
  clear(): void {
    for (const c of this.pending.values()) c.abort();
    this.pending.clear();
    this.pages.clear();
    this.refused.clear();
  }

  /** Every held row, page by page (for values seen so far, such as tags to complete). */
  *rows(): IterableIterator<Row> {
    for (const page of this.pages.values()) yield* page;
  }

  get size(): number {
    return this.pages.size;
  }
}
