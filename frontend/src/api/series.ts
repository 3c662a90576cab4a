// The buckets route: a float series summarised into at most 1,000 buckets per run, so a chart
// of millions of points costs the browser a few thousand numbers.
import type { ProjectRef } from "./types";
import { sendJSON } from "./client";
import type { BucketSeries, BucketsRequest, BucketsResponse } from "../lib/series";

export function fetchBuckets(project: ProjectRef, req: BucketsRequest, signal?: AbortSignal): Promise<BucketsResponse> {
  const p = `/projects/${encodeURIComponent(project.workspace)}/${encodeURIComponent(project.name)}/buckets`;
  return sendJSON<BucketsResponse>("POST", p, req, signal);
}

/** Several requests (relative time asks once per run) answered as one list of series. */
export async function fetchAllBuckets(
  project: ProjectRef,
  reqs: BucketsRequest[],
  signal?: AbortSignal,
): Promise<BucketSeries[]> {
  const answers = await Promise.all(reqs.map((r) => fetchBuckets(project, r, signal)));
  return answers.flatMap((a) => a.series);
}
