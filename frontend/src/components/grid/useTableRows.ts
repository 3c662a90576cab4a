// Rows of a server table fetched page by page as the grid asks for them. The page cache
// lives as long as the request (filter, sort, columns...) is the same; a change starts over.
// Live (``live`` ms), the rows on screen are fetched again now and then (only those: the
// window, with offset and limit), and the cells that changed are marked for a while; when the
// total changes (new runs), the other pages are forgotten and the window's pages fetched anew.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError } from "../../api/client";
import { fetchTable, type TableKind, type TableRequest } from "../../api/tables";
import type { ProjectRef } from "../../api/types";
import { byId, cellKey, changedKeys, nextPoll, rowKey } from "./liveDiff";
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
  /** Non-zero (a count of changes, to restart a highlight) while a cell shows a value a live poll just changed or a row it just brought. */
  changed(row: Row, path: string): number;
}

export const PAGE_SIZE = 200;
/** How long a changed cell stays marked, in ms. */
export const CHANGED_MS = 3000;

export function rowsFromAnswer(columns: string[], rows: unknown[][]): Row[] {
  return rows.map((values) => {
    const r: Row = {};
    for (let i = 0; i < columns.length; i++) r[columns[i]] = values[i];
    return r;
  });
}

export function useTableRows(
  project: ProjectRef,
  kind: TableKind,
  request: Omit<TableRequest, "limit" | "offset">,
  live = 0,
): TableRows {
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
  const totalRef = useRef<number | null>(null);
  totalRef.current = total;
  // changed cells: key -> [count, until]
  const marks = useRef(new Map<string, [number, number]>());
  const markCount = useRef(0);

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

  // Live: poll the window on screen, mark what changed, follow a new total.
  useEffect(() => {
    if (live <= 0) return;
    let stopped = false;
    let handle: number | null = null;
    let controller: AbortController | null = null;
    const poll = async () => {
      handle = null;
      const { start, end } = wanted.current;
      const busy = cache.size === 0 || cache.missing(start, end).length > 0 || document.visibilityState === "hidden";
      const began = performance.now();
      if (!busy) {
        controller = new AbortController();
        try {
          const answer = await fetchTable(project, kind, { ...request, limit: end - start, offset: start }, controller.signal);
          if (stopped) return;
          const fresh = rowsFromAnswer(answer.columns, answer.rows);
          const keys = changedKeys(byId(cache.rows()), fresh, answer.columns);
          const until = Date.now() + CHANGED_MS;
          for (const k of keys) marks.current.set(k, [++markCount.current, until]);
          cache.setRows(start, fresh);
          const newTotal = typeof answer.total === "number" ? answer.total : null;
          if (newTotal !== null && newTotal !== totalRef.current) {
            const first = cache.pageOf(start);
            const last = cache.pageOf(Math.max(start, end - 1));
            cache.keepOnly(first, last);
            setTotal(newTotal);
            for (let p = first; p <= last; p++) if (!cache.isPending(p)) load(p);
          }
          setTypes((t) => ({ ...t, ...answer.types }));
          if (keys.length || newTotal !== totalRef.current) setVersion((v) => v + 1);
          if (keys.length) window.setTimeout(() => !stopped && setVersion((v) => v + 1), CHANGED_MS + 50);
        } catch {
          // a failed poll is tried again at the next one; the page shows the rows it has
        }
      }
      if (!stopped) handle = window.setTimeout(poll, nextPoll(live, performance.now() - began));
    };
    handle = window.setTimeout(poll, live);
    return () => {
      stopped = true;
      if (handle !== null) window.clearTimeout(handle);
      controller?.abort();
    };
  }, [cache, live, load]);

  const changed = useCallback((row: Row, path: string) => {
    const now = Date.now();
    const id = row["sys/id"];
    for (const k of [cellKey(id, path), rowKey(id)]) {
      const m = marks.current.get(k);
      if (m && m[1] > now) return m[0];
      if (m) marks.current.delete(k);
    }
    return 0;
  }, []);

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
    changed,
  };
}
