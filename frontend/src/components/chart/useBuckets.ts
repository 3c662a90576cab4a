// Fetches the buckets one chart shows. A newer request aborts the one in flight (zooming
// twice quickly never lets the first answer land last).
import { useEffect, useRef, useState } from "react";
import type { ProjectRef } from "../../api/types";
import { fetchAllBuckets } from "../../api/series";
import { bucketRequests, originsOf, type BucketSeries, type XKind } from "../../lib/series";

export interface BucketsState {
  series: BucketSeries[];
  origins: Record<string, number>;
  /** true from the render that changes the request until its answer is in */
  loading: boolean;
  error: string | null;
}

interface Held extends BucketsState {
  /** the request the series answer */
  key: string;
}

export function useBuckets(args: {
  project: ProjectRef;
  uuids: string[];
  path: string;
  xKind: XKind;
  logX: boolean;
  range: [number, number] | null;
  buckets: number;
  enabled: boolean;
  refresh?: number;
}): BucketsState {
  const { project, uuids, path, xKind, logX, range, buckets, enabled, refresh } = args;
  const [state, setState] = useState<Held>({ series: [], origins: {}, loading: false, error: null, key: "" });
  const origins = useRef<Record<string, number>>({});
  const uuidKey = uuids.join(",");
  const rangeKey = range ? `${range[0]}:${range[1]}` : "";
  const key = [project.workspace, project.name, uuidKey, path, xKind, logX, rangeKey, buckets, refresh].join("|");
  useEffect(() => {
    if (!enabled || buckets <= 0 || uuids.length === 0) return;
    const ctl = new AbortController();
    const reqs = bucketRequests({ uuids, path, xKind, logX, range, buckets, origins: origins.current });
    setState((s) => ({ ...s, loading: true }));
    fetchAllBuckets(project, reqs, ctl.signal).then(
      (series) => {
        if (ctl.signal.aborted) return;
        if (range === null) origins.current = originsOf(series);
        setState({ series, origins: origins.current, loading: false, error: null, key });
      },
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        setState((s) => ({ ...s, loading: false, error: e instanceof Error ? e.message : String(e), key }));
      },
    );
    return () => ctl.abort();
    // uuidKey and rangeKey stand for uuids and range
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, enabled]);
  const waiting = enabled && buckets > 0 && uuids.length > 0 && state.key !== key;
  return { series: state.series, origins: state.origins, loading: state.loading || waiting, error: state.error };
}
