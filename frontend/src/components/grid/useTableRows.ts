// Rows of a server table fetched page by page as the grid asks for them. The page cache
// lives as long as the request (filter, sort, columns...) is the same; a change starts over.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError } from "../../api/client";
import { fetchTable, type TableKind, type TableRequest } from "../../api/tables";
import type { ProjectRef } from "../../api/types";
import { PageCache } from "./pageCache";

export type Row = Record<string, unknown>;

export interface TableRows {
  total: number | null;
  types: Record<string, string>;
  error: unknown;
  loading: boolean;
  /** Bumped whenever rows arrive, so the grid re-renders. */
  version: number;
  get(row: number): Row | undefined;
  /** True while the rows shown are those of the previous request (a new one is on its way). */
  stale: boolean;
  /** Every row held now. */
  held(): IterableIterator<Row>;
  /** Asks for rows [start, end) (what the grid shows). */
  ensure(start: number, end: number): void;
  /** Throws the cache away and fetches again (after an edit). */
  reload(): void;
  /** Changes held rows in place (an edit shown at once, before the reload). */
  patch(match: (r: Row) => boolean, fn: (r: Row) => Row): void;
}

export const PAGE_SIZE = 200;

export function rowsFromAnswer(columns: string[], rows: unknown[][]): Row[] {
  return rows.map((values) => {
    const r: Row = {};
    for (let i = 0; i < columns.length; i++) r[columns[i]] = values[i];
    return r;
  });
}

export function useTableRows(project: ProjectRef, kind: TableKind, request: Omit<TableRequest, "limit" | "offset">): TableRows {
  const key = JSON.stringify([project.workspace, project.name, kind, request]);
  const [generation, setGeneration] = useState(0);
  const cache = useMemo(() => new PageCache<Row>(PAGE_SIZE), [key, generation]);
  // The previous answer stays on screen until the first page of the new one arrives, so a
  // sort, a filter or a reload after an edit does not flash an empty table.
  const previous = useRef<PageCache<Row> | null>(null);
  const current = useRef(cache);
  if (current.current !== cache) {
    // An answer that never came (a refused query) leaves the one before it on screen.
    if (current.current.size > 0) previous.current = current.current;
    current.current = cache;
  }
  const [total, setTotal] = useState<number | null>(null);
  const [types, setTypes] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const [inflight, setInflight] = useState(0);
  const wanted = useRef({ start: 0, end: 1 });
  const timer = useRef<number | null>(null);

  const load = useCallback(
    (page: number) => {
      const controller = cache.begin(page);
      setInflight((n) => n + 1);
      fetchTable(project, kind, { ...request, limit: PAGE_SIZE, offset: page * PAGE_SIZE }, controller.signal)
        .then((answer) => {
          if (controller.signal.aborted) return;
          cache.put(page, rowsFromAnswer(answer.columns, answer.rows), cache.pageOf(wanted.current.start));
          if (typeof answer.total === "number") setTotal(answer.total);
          else if (page === 0) setTotal(answer.rows.length); // a server without `total`
          setTypes((t) => ({ ...t, ...answer.types }));
          setError(null);
          setVersion((v) => v + 1);
        })
        .catch((e: unknown) => {
          cache.fail(page, e instanceof ApiError && e.status >= 400 && e.status < 500);
          if (!controller.signal.aborted) setError(e);
        })
        .finally(() => setInflight((n) => n - 1));
    },
    [cache],
  );

  const fetchWanted = useCallback(() => {
    const { start, end } = wanted.current;
    const first = cache.pageOf(start);
    const last = cache.pageOf(Math.max(start, end - 1));
    cache.cancelOutside(first - 1, last + 1);
    for (const p of cache.missing(start, end)) load(p);
  }, [cache, load]);

  // A new request: forget the old answer and fetch what is on screen.
  useEffect(() => {
    setError(null);
    setVersion((v) => v + 1);
    fetchWanted();
    return () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
      cache.abortAll();
    };
  }, [cache, fetchWanted]);

  const lastFetch = useRef(0);
  const ensure = useCallback(
    (start: number, end: number) => {
      wanted.current = { start, end: Math.max(end, start + 1) };
      if (cache.missing(start, end).length === 0) return;
      if (timer.current !== null) window.clearTimeout(timer.current);
      const now = performance.now();
      // A jump (a click on the scrollbar, a link) fetches at once; while the user keeps
      // dragging, requests wait for a pause, so only the rows they stop on are asked for.
      if (now - lastFetch.current > 150) {
        lastFetch.current = now;
        fetchWanted();
        return;
      }
      lastFetch.current = now;
      timer.current = window.setTimeout(() => {
        timer.current = null;
        fetchWanted();
      }, 50);
    },
    [cache, fetchWanted],
  );

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const patch = useCallback(
    (match: (r: Row) => boolean, fn: (r: Row) => Row) => {
      cache.update(match, fn);
      setVersion((v) => v + 1);
    },
    [cache],
  );

  return {
    total,
    types,
    error,
    loading: inflight > 0,
    stale: cache.size === 0 && (previous.current?.size ?? 0) > 0,
    version,
    get: (row: number) => cache.get(row) ?? (cache.size === 0 ? previous.current?.get(row) : undefined),
    held: () => cache.rows(),
    ensure,
    reload,
    patch,
  };
}
