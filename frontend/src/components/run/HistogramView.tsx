// A histogram series (a string series of JSON histograms, see histogram.ts) as a bar chart of
// one step's histogram with a slider over the steps, and a switch to its raw lines. Points are
// fetched in pages around the slider's position; only the shown step's histogram is drawn.
import { useCallback, useEffect, useMemo, useState, type KeyboardEvent } from "react";
import { objectPoints } from "../../api/fields";
import { LineCache, toLines } from "./logPages";
import { LogViewer } from "./LogViewer";
import { binGeometry, formatNumber, isHistogramSeries, mightBeHistogramSeries, niceTicks, parseHistogram, type Histogram, type Parsed } from "./histogram";

const PAGE = 200;
const PROBE = 50;
const MAX_BAD_LISTED = 20;

/** A string series: a histogram view when its points are histograms, else the log viewer. */
export function StringSeriesView({ uuid, path, count, lastValue }: { uuid: string; path: string; count: number; lastValue: unknown }) {
  const lastIsHistogram = useMemo(() => parseHistogram(lastValue).ok, [lastValue]);
  const probe = !lastIsHistogram && count > 0 && mightBeHistogramSeries(lastValue);
  // the last point is no histogram but looks like JSON: the first points decide
  const [probed, setProbed] = useState<boolean | null>(null);
  useEffect(() => {
    if (!probe || probed !== null) return;
    const ctl = new AbortController();
    objectPoints<string>(uuid, path, 0, PROBE, ctl.signal).then(
      (pts) => setProbed(isHistogramSeries(null, pts.values)),
      () => !ctl.signal.aborted && setProbed(false),
    );
    return () => ctl.abort();
  }, [probe, probed, uuid, path]);
  if (lastIsHistogram || (probe && probed)) return <HistogramView uuid={uuid} path={path} count={count} />;
  if (probe && probed === null) return <div className="muted">…</div>;
  return <LogViewer uuid={uuid} path={path} count={count} />;
}

export function HistogramView({ uuid, path, count }: { uuid: string; path: string; count: number }) {
  const [raw, setRaw] = useState(false);
  return (
    <div className="histogram-view" data-testid="histogram-view" data-path={path}>
      <div className="histogram-switch" role="group" aria-label="show as">
        <button type="button" className={raw ? "tab" : "tab active"} data-testid="histogram-mode-chart" aria-pressed={!raw} onClick={() => setRaw(false)}>
          histogram
        </button>
        <button type="button" className={raw ? "tab active" : "tab"} data-testid="histogram-mode-raw" aria-pressed={raw} onClick={() => setRaw(true)}>
          raw lines
        </button>
      </div>
      {raw ? <LogViewer uuid={uuid} path={path} count={count} /> : <HistogramSteps uuid={uuid} path={path} count={count} />}
    </div>
  );
}

function HistogramSteps({ uuid, path, count }: { uuid: string; path: string; count: number }) {
  const cache = useMemo(() => new LineCache(PAGE), [uuid, path]);
  const parsed = useMemo(() => new Map<number, Parsed>(), [cache]);
  const [, setVersion] = useState(0);
  const bump = useCallback(() => setVersion((v) => v + 1), []);
  const [index, setIndex] = useState(Math.max(0, count - 1));
  const [seen, setSeen] = useState(count);
  const [error, setError] = useState<string | null>(null);

  // the series grew: follow its end when the last step was shown; short pages are fetched again
  if (seen !== count) {
    setSeen(count);
    setIndex((i) => (i >= seen - 1 ? Math.max(0, count - 1) : Math.min(i, Math.max(0, count - 1))));
  }
  useEffect(() => cache.grow(count), [cache, count]);

  useEffect(() => {
    const ctl = new AbortController();
    const page = Math.floor(index / PAGE);
    for (const p of cache.claimMissing(Math.max(0, (page - 1) * PAGE), (page + 2) * PAGE, count)) {
      objectPoints<string>(uuid, path, p * PAGE, PAGE, ctl.signal).then(
        (pts) => {
          const lines = toLines(pts);
          lines.forEach((l, i) => parsed.set(p * PAGE + i, parseHistogram(l.text)));
          cache.put(p, lines);
          bump();
        },
        (e: unknown) => {
          cache.fail(p);
          if (!ctl.signal.aborted) setError(e instanceof Error ? e.message : String(e));
        },
      );
    }
    return () => ctl.abort();
  }, [cache, parsed, uuid, path, index, count, bump]);

  const move = useCallback((by: number) => setIndex((i) => Math.max(0, Math.min(count - 1, i + by))), [count]);
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const by = e.key === "ArrowLeft" ? -1 : e.key === "ArrowRight" ? 1 : 0;
    if (!by) return;
    e.preventDefault(); // the slider's own arrow keys too: one step a press either way
    move(by);
  };

  if (count === 0) return <div className="muted">No histograms.</div>;
  const line = cache.line(index);
  const point = line ? parsed.get(index) : undefined;
  // bad points among the pages read (a few hundred around the slider)
  const bad: { index: number; step: number; reason: string; text: string }[] = [];
  let read = 0;
  for (let p = 0; p * PAGE < count; p++) {
    if (!cache.has(p)) continue;
    for (let i = p * PAGE; i < Math.min(count, (p + 1) * PAGE); i++) {
      const l = cache.line(i);
      const r = parsed.get(i);
      if (!l || !r) continue;
      read++;
      if (!r.ok) bad.push({ index: i, step: l.step, reason: r.reason, text: l.text });
    }
  }
  return (
    <div className="histogram-steps" tabIndex={0} onKeyDown={onKey} data-testid="histogram-steps">
      <div className="gallery-controls">
        <input
          type="range"
          data-testid="histogram-slider"
          aria-label="step"
          min={0}
          max={count - 1}
          value={index}
          onChange={(e) => setIndex(Number(e.target.value))}
        />
        <span data-testid="histogram-step" data-index={index}>
          {line ? `step ${line.step}` : "…"} ({index + 1} of {count})
        </span>
      </div>
      {error && <div className="error">{error}</div>}
      {!line || !point ? (
        <div className="muted histogram-loading">…</div>
      ) : point.ok ? (
        <HistogramChart histogram={point.histogram} step={line.step} />
      ) : (
        <div className="histogram-bad-point" data-testid="histogram-bad-point">
          <div className="error">
            step {line.step} is not a histogram: {point.reason}
          </div>
          <pre className="text-preview">{line.text.length > 2000 ? line.text.slice(0, 2000) + "…" : line.text}</pre>
        </div>
      )}
      {bad.length > 0 && (
        <div className="histogram-bad" data-testid="histogram-bad">
          <div className="error">
            {bad.length} of the {read} points read are not histograms:
          </div>
          <ul>
            {bad.slice(0, MAX_BAD_LISTED).map((b) => (
              <li key={b.index} data-testid="histogram-bad-line">
                <button type="button" className="link" onClick={() => setIndex(b.index)}>
                  line {b.index + 1}, step {b.step}
                </button>{" "}
                <span className="muted">{b.reason}:</span> <code>{b.text.length > 120 ? b.text.slice(0, 120) + "…" : b.text}</code>
              </li>
            ))}
            {bad.length > MAX_BAD_LISTED && <li className="muted">and {bad.length - MAX_BAD_LISTED} more (see the raw lines)</li>}
          </ul>
        </div>
      )}
    </div>
  );
}

const W = 640;
const H = 320;
const FRAME = { left: 64, top: 28, width: W - 64 - 16, height: H - 28 - 48 };

/** One histogram as SVG bars with axes; every label is SVG text. */
export function HistogramChart({ histogram, step }: { histogram: Histogram; step: number }) {
  const g = useMemo(() => binGeometry(histogram, FRAME), [histogram]);
  const xTicks = niceTicks(g.xDomain[0], g.xDomain[1], 6);
  const yTicks = niceTicks(g.yDomain[0], g.yDomain[1], 5);
  const bottom = FRAME.top + FRAME.height;
  const yName = histogram.type === "COUNTS" ? "count" : "density";
  return (
    <svg
      className="histogram-chart"
      data-testid="histogram-chart"
      data-type={histogram.type}
      data-bins={histogram.values.length}
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`${histogram.type} histogram at step ${step}`}
    >
      <text x={FRAME.left} y={16} className="histogram-title" data-testid="histogram-type">
        {histogram.type} · step {step} · {histogram.values.length} bin{histogram.values.length === 1 ? "" : "s"}
      </text>
      {yTicks.map((t) => (
        <g key={`y${t}`}>
          <line x1={FRAME.left} x2={FRAME.left + FRAME.width} y1={g.yOf(t)} y2={g.yOf(t)} className="histogram-grid" />
          <text x={FRAME.left - 6} y={g.yOf(t) + 4} textAnchor="end" className="histogram-tick">
            {formatNumber(t)}
          </text>
        </g>
      ))}
      {g.bars.map((b, i) => (
        <rect
          key={i}
          className="histogram-bar"
          data-testid="histogram-bar"
          data-lo={b.lo}
          data-hi={b.hi}
          data-value={b.value}
          x={b.x}
          y={b.y}
          width={Math.max(0.5, b.width)}
          height={b.height}
        >
          <title>{`[${formatNumber(b.lo)}, ${formatNumber(b.hi)}): ${formatNumber(b.value)}`}</title>
        </rect>
      ))}
      <line x1={FRAME.left} x2={FRAME.left + FRAME.width} y1={g.yOf(0)} y2={g.yOf(0)} className="histogram-axis" />
      <line x1={FRAME.left} x2={FRAME.left} y1={FRAME.top} y2={bottom} className="histogram-axis" />
      {xTicks.map((t) => (
        <g key={`x${t}`}>
          <line x1={g.xOf(t)} x2={g.xOf(t)} y1={bottom} y2={bottom + 4} className="histogram-axis" />
          <text x={g.xOf(t)} y={bottom + 16} textAnchor="middle" className="histogram-tick">
            {formatNumber(t)}
          </text>
        </g>
      ))}
      <text x={FRAME.left + FRAME.width / 2} y={H - 6} textAnchor="middle" className="histogram-label">
        value (bin edges)
      </text>
      <text x={14} y={FRAME.top + FRAME.height / 2} textAnchor="middle" className="histogram-label" transform={`rotate(-90 14 ${FRAME.top + FRAME.height / 2})`}>
        {yName}
      </text>
    </svg>
  );
}
