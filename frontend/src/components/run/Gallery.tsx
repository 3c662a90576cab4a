// An image series as a gallery: a step slider picks the image shown large, with a strip of
// its neighbours. Points are fetched in pages around the slider's position.
import { useEffect, useMemo, useState } from "react";
import { objectPoints, type SeriesFile } from "../../api/fields";
import { downloadName } from "./fieldFormat";
import { DownloadLink, ImageView } from "./FilePreview";

const PAGE = 200;
const STRIP = 6;

interface Shot {
  step: number;
  file: SeriesFile;
}

export function Gallery({ uuid, path, count }: { uuid: string; path: string; count: number }) {
  const [index, setIndex] = useState(Math.max(0, count - 1));
  const [pages, setPages] = useState<Map<number, Shot[]>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const page = Math.floor(index / PAGE);
  const key = `${uuid}/${path}`;
  useEffect(() => setPages(new Map()), [key]);
  // the series grew: a page that was short is fetched again
  useEffect(() => setPages((m) => new Map([...m].filter(([, shots]) => shots.length === PAGE))), [count]);
  useEffect(() => setIndex((i) => Math.min(i, Math.max(0, count - 1))), [count]);

  useEffect(() => {
    const want = [page - 1, page, page + 1].filter((p) => p >= 0 && p * PAGE < count && !pages.has(p));
    if (want.length === 0) return;
    const ctl = new AbortController();
    for (const p of want)
      objectPoints<SeriesFile>(uuid, path, p * PAGE, PAGE, ctl.signal).then(
        (pts) =>
          setPages((m) => new Map(m).set(p, pts.values.map((file, i) => ({ step: Number(pts.steps[i]), file })))),
        (e: unknown) => !ctl.signal.aborted && setError(e instanceof Error ? e.message : String(e)),
      );
    return () => ctl.abort();
  }, [uuid, path, page, count, pages]);

  const shot = (i: number): Shot | undefined => pages.get(Math.floor(i / PAGE))?.[i % PAGE];
  const current = shot(index);
  const strip = useMemo(() => {
    const lo = Math.max(0, Math.min(index - STRIP, count - 2 * STRIP - 1));
    return Array.from({ length: Math.min(count, 2 * STRIP + 1) }, (_, k) => lo + k);
  }, [index, count]);

  if (count === 0) return <div className="muted">No images.</div>;
  const filename = current ? downloadName(current.file.name || `${path.split("/").pop()}-${current.step}`, current.file.file.extension) : "";
  return (
    <div className="gallery" data-testid="gallery" data-path={path}>
      <div className="gallery-controls">
        <input
          type="range"
          data-testid="gallery-slider"
          min={0}
          max={count - 1}
          value={index}
          onChange={(e) => setIndex(Number(e.target.value))}
        />
        <span data-testid="gallery-step">
          {current ? `step ${current.step}` : "…"} ({index + 1} of {count})
        </span>
        {current && <DownloadLink hash={current.file.file.hash} filename={filename} />}
      </div>
      {error && <div className="error">{error}</div>}
      {current && (
        <figure className="gallery-main">
          <ImageView hash={current.file.file.hash} filename={filename} alt={current.file.name || `step ${current.step}`} />
          <figcaption>
            <span className="gallery-name" data-testid="gallery-name">
              {current.file.name}
            </span>
            {current.file.description && <span className="muted"> {current.file.description}</span>}
          </figcaption>
        </figure>
      )}
      <div className="gallery-strip">
        {strip.map((i) => {
          const s = shot(i);
          return (
            <button
              type="button"
              key={i}
              className={i === index ? "thumb selected" : "thumb"}
              data-testid="gallery-thumb"
              onClick={() => setIndex(i)}
              title={s ? `step ${s.step}` : undefined}
            >
              {s ? <ImageView hash={s.file.file.hash} filename={`${i}.${s.file.file.extension}`} alt={s.file.name} /> : "…"}
            </button>
          );
        })}
      </div>
    </div>
  );
}
