// A string series (stdout, stderr, any text log) as a virtualised list of lines. Pages of
// lines are fetched as they scroll into view; a search loads the rest and shows only the
// lines that match. Stays fast at 100,000 lines: only the visible rows are in the DOM.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { objectPoints } from "../../api/fields";
import { LineCache, PAGE, searchLines, toLines, type LogLine } from "./logPages";
import { formatDatetime } from "../../lib/format";

const ROW = 18;
const SEARCH_CHUNK = 20_000;

export function LogViewer({ uuid, path, count, height = 420 }: { uuid: string; path: string; count: number; height?: number }) {
  const cache = useMemo(() => new LineCache(PAGE), [uuid, path]);
  const [, setVersion] = useState(0);
  const bump = useCallback(() => setVersion((v) => v + 1), []);
  const [query, setQuery] = useState("");
  const [matches, setMatches] = useState<number[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const shown = matches ? matches.length : count;
  const virt = useVirtualizer({ count: shown, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 30 });
  const items = virt.getVirtualItems();
  const first = items.length ? items[0].index : 0;
  const last = items.length ? items[items.length - 1].index + 1 : 0;

  useEffect(() => {
    cache.grow(count);
  }, [cache, count]);

  // fetch the pages the visible window needs
  useEffect(() => {
    if (matches) return; // a search has loaded everything it shows
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

  // a search: load every line (in large chunks), then keep the matching ones
  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setMatches(null);
      return;
    }
    const ctl = new AbortController();
    const timer = setTimeout(async () => {
      setSearching(true);
      try {
        const all: (LogLine | undefined)[] = new Array(count);
        for (let off = 0; off < count; off += SEARCH_CHUNK) {
          const need = Array.from({ length: Math.min(SEARCH_CHUNK, count - off) }, (_, i) => off + i).some((i) => !cache.line(i));
          if (need) {
            const lines = toLines(await objectPoints<string>(uuid, path, off, SEARCH_CHUNK, ctl.signal));
            for (let i = 0; i < lines.length; i += PAGE) cache.put((off + i) / PAGE, lines.slice(i, i + PAGE));
          }
          for (let i = off; i < Math.min(off + SEARCH_CHUNK, count); i++) all[i] = cache.line(i);
        }
        if (!ctl.signal.aborted) setMatches(searchLines(all, q));
      } catch (e) {
        if (!ctl.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      } finally {
        if (!ctl.signal.aborted) setSearching(false);
      }
    }, 250);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [query, uuid, path, count, cache]);

  return (
    <div className="log-viewer" data-testid="log-viewer" data-path={path}>
      <div className="log-toolbar">
        <input data-testid="log-search" placeholder="Search lines" value={query} onChange={(e) => setQuery(e.target.value)} />
        <span className="muted" data-testid="log-count">
          {searching ? "searching…" : matches ? `${matches.length} of ${count} lines match` : `${count} line${count === 1 ? "" : "s"}`}
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
            const index = matches ? matches[vi.index] : vi.index;
            const line = cache.line(index);
            return (
              <div
                key={vi.key}
                className="log-line"
                data-testid="log-line"
                style={{ transform: `translateY(${vi.start}px)`, height: ROW }}
                title={line ? `step ${line.step}, ${formatDatetime(line.timestamp)}` : undefined}
              >
                <span className="log-no">{index + 1}</span>
                <span className="log-text">{line ? line.text : "…"}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
