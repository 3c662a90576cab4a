// The same image series of every compared run side by side at one step: a field, a step
// (slider or list, over the steps any run logged), one image per run labelled with the run.
import { useEffect, useMemo, useState } from "react";
import { objectPoints, type SeriesFile, type SeriesSummary } from "../../api/fields";
import { runColor } from "../chart/colors";
import { ImageView } from "../run/FilePreview";
import { byPath, type RunFields } from "./compareData";

/** Points read per run: a sweep's image series are short (one image per epoch or so). */
const MAX_POINTS = 1000;

/** Image series (file series) paths of any run. */
export function imageSeriesPaths(runs: RunFields[]): string[] {
  const paths = new Set<string>();
  for (const r of runs) for (const f of r.values()) if (f.type === "file_series") paths.add(f.path);
  return [...paths].sort(byPath);
}

/** Every step any run has an image at, ascending. */
export function unionSteps(perRun: (Map<number, SeriesFile> | undefined)[]): number[] {
  const steps = new Set<number>();
  for (const m of perRun) if (m) for (const s of m.keys()) steps.add(s);
  return [...steps].sort((a, b) => a - b);
}

export function ImageCompare(props: { uuids: string[]; names: string[]; runs: RunFields[] }) {
  const { uuids, names, runs } = props;
  const paths = useMemo(() => imageSeriesPaths(runs), [runs]);
  const [path, setPath] = useState<string | null>(null);
  const field = path !== null && paths.includes(path) ? path : (paths[0] ?? null);
  const [images, setImages] = useState<(Map<number, SeriesFile> | undefined)[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [step, setStep] = useState<number | null>(null);
  const key = `${uuids.join(",")}|${field}`;

  useEffect(() => {
    setImages([]);
    setError(null);
    if (field === null) return;
    const ctl = new AbortController();
    uuids.forEach((uuid, i) => {
      const count = (runs[i]?.get(field)?.value as SeriesSummary | undefined)?.count ?? 0;
      if (count === 0) {
        setImages((prev) => Object.assign([...prev], { [i]: new Map() }));
        return;
      }
      objectPoints<SeriesFile>(uuid, field, Math.max(0, count - MAX_POINTS), MAX_POINTS, ctl.signal).then(
        (pts) => {
          const m = new Map<number, SeriesFile>();
          pts.values.forEach((v, k) => m.set(Number(pts.steps[k]), v));
          setImages((prev) => Object.assign([...prev], { [i]: m }));
        },
        (e: unknown) => !ctl.signal.aborted && setError(e instanceof Error ? e.message : String(e)),
      );
    });
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const steps = useMemo(() => unionSteps(images), [images]);
  const at = step !== null && steps.includes(step) ? step : (steps[steps.length - 1] ?? null);
  const index = at === null ? 0 : steps.indexOf(at);

  if (paths.length === 0) return <div className="muted">These runs log no images.</div>;
  return (
    <div className="image-compare" data-testid="image-compare" data-path={field ?? ""} data-step={at ?? ""}>
      <div className="image-compare-controls">
        <label>
          field{" "}
          <select data-testid="image-compare-field" value={field ?? ""} onChange={(e) => setPath(e.target.value)}>
            {paths.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        {steps.length > 0 && (
          <>
            <input
              type="range"
              data-testid="image-compare-slider"
              min={0}
              max={steps.length - 1}
              value={index}
              onChange={(e) => setStep(steps[Number(e.target.value)])}
            />
            <label>
              step{" "}
              <select data-testid="image-compare-step" value={at ?? ""} onChange={(e) => setStep(Number(e.target.value))}>
                {steps.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
      </div>
      {error && <div className="error">{error}</div>}
      <div className="image-compare-grid">
        {uuids.map((uuid, i) => {
          const shot = at !== null ? images[i]?.get(at) : undefined;
          return (
            <figure key={uuid} className="image-compare-cell" data-testid="image-compare-cell" data-run={names[i]}>
              {shot ? (
                <ImageView key={shot.file.hash} hash={shot.file.hash} filename={`${field}-${at}.${shot.file.extension || "png"}`} alt={`${names[i]} step ${at}`} />
              ) : (
                <div className="image-placeholder muted">{images[i] ? `no image at step ${at}` : "loading…"}</div>
              )}
              <figcaption title={names[i]}>
                <span className="swatch" style={{ background: runColor(i) }} /> {names[i]}
              </figcaption>
            </figure>
          );
        })}
      </div>
    </div>
  );
}
