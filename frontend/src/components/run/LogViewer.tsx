// A string series (stdout, stderr, any text log) as a virtualised list of lines. Pages of
// lines are fetched as they scroll into view; a search asks the server for the matching lines
// (GET .../search/{path}), a page of 1,000 matches at a time as they scroll into view, so a
// million-line log costs what a screenful of matches costs. Only the visible rows are in the DOM.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { MAX_SEARCH_TEXT, objectPoints, searchPoints } from "../../api/fields";
import { LineCache, MatchPages, PAGE, highlightParts, toLines } from "./logPages";
import { formatDatetime } from "../../lib/format";

const ROW = 18;

export function LogViewer({ uuid, path, count, height = 420 }: { uuid: string; path: string; count: number; height?: number }) {
  const cache = useMemo(() => new LineCache(PAGE), [uuid, path]);
  const [, setVersion] = useState(0);
  const bump = useCallback(() => setVersion((v) => v + 1), []);
  const [query, setQuery] = useState("");
  const [matches, setMatches] = useState<MatchPages | null>(null);
  const [error, setError] = useState<string | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const shown = matches ? (matches.total ?? 0) : count;
  const virt = useVirtualizer({ count: shown, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 30 });
  const items = virt.getVirtualItems();
  const first = items.length ? items[0].index : 0;
  const last = items.length ? items[items.length - 1].index + 1 : 0;

  useEffect(() => {
    cache.grow(count);
    matches?.grow();
  }, [cache, count, matches]);

  // fetch the pages the visible window needs
  useEffect(() => {
    if (matches) return; // a search shows matches, fetched below
    const ctl = new AbortController();
    for (const p of cache.claimMissing(first, last, count)) {
      objectPoints<string>(uuid, path, p * PAGE, PAGE, ctl.signal).then(
        (pts) => {
          cache.put(p, toLines(pts));
          bump();
        },
        (e: unknown) => {
          cache.fail(p);
          if (!ctl.signal.aborted) setError(e instanceof Error ? e.message : String(e));
        },
      );
    }
    return () => ctl.abort();
  }, [cache, uuid, path, first, last, count, matches, bump]);

  // a search: a fresh set of match pages once the text has been still for 250 ms
  useEffect(() => {
    const q = query.trim();
    const timer = setTimeout(() => {
      setError(null);
      setMatches(q ? new MatchPages(q) : null);
    }, q ? 250 : 0);
    return () => clearTimeout(timer);
  }, [query, uuid, path]);

  // fetch the pages of matches the visible window needs (the first page before the total is known)
  useEffect(() => {
    if (!matches) return;
    const ctl = new AbortController();
    for (const p of matches.claimMissing(first, last)) {
      searchPoints(uuid, path, matches.text, p * matches.page, matches.page, ctl.signal).then(
        (answer) => {
          matches.put(p, answer);
          bump();
        },
        (e: unknown) => {
          matches.fail(p);
          if (!ctl.signal.aborted) setError(e instanceof Error ? e.message : String(e));
        },
      );
    }
    return () => ctl.abort();
  }, [matches, uuid, path, first, last, count, bump]);

  const searching = matches !== null && matches.total === null && !error;
  return (
    <div className="log-viewer" data-testid="log-viewer" data-path={path}>
      <div className="log-toolbar">
        <input
          data-testid="log-search"
          placeholder="Search lines"
          maxLength={MAX_SEARCH_TEXT}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <span className="muted" data-testid="log-count">
          {searching ? "searching…" : matches && matches.total !== null ? `${matches.total} of ${count} lines match` : `${count} line${count === 1 ? "" : "s"}`}
        </span>
        <button type="button" onClick={() => virt.scrollToIndex(0)}>
          top
        </button>
        <button type="button" data-testid="log-end" onClick={() => virt.scrollToIndex(Math.max(0, shown - 1), { align: "end" })}>
          end
        </button>
      </div>
      {error && <div className="error">{error}</div>}
      <div ref={scroller} className="log-scroll" style={{ height }} data-testid="log-scroll">
        <div style={{ height: virt.getTotalSize(), position: "relative", minWidth: "100%" }}>
          {items.map((vi) => {
            const m = matches?.match(vi.index);
            const index = matches ? m?.index : vi.index;
            const line = matches ? m?.line : cache.line(vi.index);
            return (
              <div
                key={vi.key}
                className="log-line"
                data-testid="log-line"
                style={{ transform: `translateY(${vi.start}px)`, height: ROW }}
                title={line ? `step ${line.step}, ${formatDatetime(line.timestamp)}` : undefined}
              >
                <span className="log-no">{index === undefined ? "" : index + 1}</span>
                <span className="log-text">
                  {!line
                    ? "…"
                    : matches
                      ? highlightParts(line.text, matches.text).map(([part, hit], i) =>
                          hit ? (
                            <mark key={i} className="log-hit">
                              {part}
                            </mark>
                          ) : (
                            part
                          ),
                        )
                      : line.text}
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
