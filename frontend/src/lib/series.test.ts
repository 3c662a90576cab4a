import { describe, expect, it } from "vitest";
import {
  bucketMean,
  bucketRequests,
  bucketsToColumns,
  chartOptionsFromQuery,
  chartOptionsToQuery,
  emaSmooth,
  formatDuration,
  originsOf,
  selectionRange,
  toNumber,
  toUplotColumns,
  type BucketSeries,
} from "./series";

function series(uuid: string, edges: number[], parts: Partial<BucketSeries> = {}): BucketSeries {
  const n = edges.length - 1;
  const zeros = () => new Array<number>(n).fill(0);
  return {
    uuid,
    path: "train/loss",
    x: "step",
    edges,
    first: new Array(n).fill(1),
    last: new Array(n).fill(1),
    min: new Array(n).fill(1),
    max: new Array(n).fill(1),
    sum: new Array(n).fill(1),
    count: new Array(n).fill(1),
    nan_count: zeros(),
    pos_inf_count: zeros(),
    neg_inf_count: zeros(),
    ...parts,
  };
}

const base = { value: "mean", xKind: "step", logX: false, logY: false } as const;

describe("toNumber", () => {
  it("reads the JSON spellings of NaN and infinities", () => {
    expect(toNumber(null)).toBeNaN();
    expect(toNumber("NaN")).toBeNaN();
    expect(toNumber("Infinity")).toBe(Infinity);
    expect(toNumber("-Infinity")).toBe(-Infinity);
    expect(toNumber(2.5)).toBe(2.5);
  });
});

describe("bucketMean", () => {
  it("divides the sum by the finite values only", () => {
    const s = series("a", [0, 10], { sum: [6], count: [5], nan_count: [1], pos_inf_count: [1], neg_inf_count: [0] });
    expect(bucketMean(s, 0)).toBe(2);
  });
  it("is null for a bucket with no finite value", () => {
    const s = series("a", [0, 10], { sum: [0], count: [2], nan_count: [2] });
    expect(bucketMean(s, 0)).toBeNull();
  });
});

describe("bucketsToColumns", () => {
  it("puts the mean of each bucket at its centre, with the band from min and max", () => {
    const s = series("a", [0, 10, 20], { sum: [10, 40], count: [2, 4], min: [1, 5], max: [9, 15] });
    const cols = bucketsToColumns([s], ["a"], base);
    expect(cols.x).toEqual([5, 15]);
    expect(cols.runs[0].value).toEqual([5, 10]);
    expect(cols.runs[0].min).toEqual([1, 5]);
    expect(cols.runs[0].max).toEqual([9, 15]);
  });

  it("shows the last value when asked, and drops empty buckets", () => {
    const s = series("a", [0, 1, 2, 3], { last: [3, null, 7], count: [1, 0, 2] });
    const cols = bucketsToColumns([s], ["a"], { ...base, value: "last" });
    expect(cols.x).toEqual([0.5, 2.5]);
    expect(cols.runs[0].value).toEqual([3, 7]);
  });

  it("joins runs with different buckets on one sorted grid, in the order asked", () => {
    const a = series("a", [0, 2, 4], { sum: [1, 2] });
    const b = series("b", [1, 3], { sum: [9] });
    const cols = bucketsToColumns([a, b], ["b", "a", "missing"], base);
    expect(cols.x).toEqual([1, 2, 3]);
    expect(cols.runs.map((r) => r.uuid)).toEqual(["b", "a", "missing"]);
    expect(cols.runs[0].value).toEqual([null, 9, null]);
    expect(cols.runs[1].value).toEqual([1, null, 2]);
    expect(cols.runs[2].value).toEqual([null, null, null]);
  });

  it("marks NaN and infinities where buckets count them, and leaves gaps for them", () => {
    const s = series("a", [0, 1, 2], {
      count: [3, 1],
      sum: [2, 0],
      nan_count: [1, 0],
      pos_inf_count: [0, 1],
      neg_inf_count: [0, 0],
      last: ["NaN", "Infinity"],
    });
    const cols = bucketsToColumns([s], ["a"], base);
    expect(cols.runs[0].value).toEqual([1, null]);
    expect(cols.markers).toEqual([
      { x: 0.5, run: 0, kind: "nan", count: 1 },
      { x: 1.5, run: 0, kind: "+inf", count: 1 },
    ]);
    const last = bucketsToColumns([s], ["a"], { ...base, value: "last" });
    expect(last.runs[0].value).toEqual([null, null]);
  });

  it("drops values a log y axis cannot show and x <= 0 on a log x axis", () => {
    const s = series("a", [-1, 1, 10, 100], { sum: [1, -2, 3], min: [0, -2, 3], max: [1, -2, 3] });
    const cols = bucketsToColumns([s], ["a"], { ...base, logX: true, logY: true });
    expect(cols.x).toEqual([Math.sqrt(10), Math.sqrt(1000)]);
    expect(cols.runs[0].value).toEqual([null, 3]);
  });

  it("shifts each run by its own origin for relative time", () => {
    const a = series("a", [100, 110], { x: "time" });
    const b = series("b", [500, 520], { x: "time" });
    const cols = bucketsToColumns([a, b], ["a", "b"], { ...base, xKind: "relative", origins: { a: 100, b: 500 } });
    expect(cols.x).toEqual([5, 10]);
    expect(cols.runs[0].value).toEqual([1, null]);
    expect(cols.runs[1].value).toEqual([null, 1]);
  });
});

describe("emaSmooth", () => {
  it("leaves values alone at weight 0", () => {
    expect(emaSmooth([1, null, 3], 0)).toEqual([1, null, 3]);
  });
  it("is debiased at the start and skips gaps", () => {
    const out = emaSmooth([10, null, 20], 0.5);
    expect(out[0]).toBeCloseTo(10);
    expect(out[1]).toBeNull();
    // (0.5*5 + 0.5*20) / (1 - 0.25) = 12.5 / 0.75
    expect(out[2]).toBeCloseTo(12.5 / 0.75);
  });
  it("keeps a constant series constant", () => {
    for (const v of emaSmooth([4, 4, 4, 4, 4], 0.9)) expect(v).toBeCloseTo(4);
  });
});

describe("toUplotColumns", () => {
  it("lays out x, then line, band top and band bottom per run", () => {
    const cols = {
      x: [1, 2],
      runs: [
        { uuid: "a", value: [1, 2], min: [0, 1], max: [2, 3] },
        { uuid: "b", value: [5, 6], min: [4, 5], max: [6, 7] },
      ],
      markers: [],
    };
    const u = toUplotColumns(cols, 0);
    expect(u.data).toEqual([[1, 2], [1, 2], [2, 3], [0, 1], [5, 6], [6, 7], [4, 5]]);
    expect(u.lines).toEqual([1, 4]);
    expect(u.bands).toEqual([
      [2, 3],
      [5, 6],
    ]);
    const smoothed = toUplotColumns(cols, 0.5);
    expect(smoothed.data[1]).toEqual(emaSmooth([1, 2], 0.5));
    expect(toUplotColumns(cols, 0, false).data.length).toBe(3);
  });
});

describe("zoom -> requests", () => {
  it("asks once for all runs by step, with the zoomed range", () => {
    const reqs = bucketRequests({ uuids: ["a", "b"], path: "p", xKind: "step", logX: true, range: [10, 20], buckets: 5000 });
    expect(reqs).toEqual([{ uuids: ["a", "b"], path: "p", x: "step", x_min: 10, x_max: 20, buckets: 1000, log_x: true }]);
  });
  it("asks for everything when not zoomed", () => {
    const [r] = bucketRequests({ uuids: ["a"], path: "p", xKind: "time", logX: false, range: null, buckets: 300 });
    expect(r).toMatchObject({ x: "time", x_min: null, x_max: null, buckets: 300 });
  });
  it("asks once per run for relative time, each from its own origin", () => {
    const reqs = bucketRequests({
      uuids: ["a", "b"],
      path: "p",
      xKind: "relative",
      logX: false,
      range: [5, 10],
      buckets: 100,
      origins: { a: 100, b: 1000 },
    });
    expect(reqs.map((r) => [r.uuids, r.x, r.x_min, r.x_max])).toEqual([
      [["a"], "time", 105, 110],
      [["b"], "time", 1005, 1010],
    ]);
  });
  it("orders a drag selection and ignores an empty one", () => {
    expect(selectionRange(5, 2)).toEqual([2, 5]);
    expect(selectionRange(3, 3)).toBeNull();
    expect(selectionRange(NaN, 3)).toBeNull();
  });
  it("takes each run's origin from its first non-empty bucket", () => {
    const s = series("a", [0, 5, 10], { count: [0, 3] });
    expect(originsOf([s])).toEqual({ a: 5 });
  });
});

describe("chart options in the URL", () => {
  it("round-trips and keeps other parameters", () => {
    const q = new URLSearchParams("tab=charts");
    const o = { xKind: "relative", value: "last", smoothing: 0.6, logX: true, logY: false } as const;
    const out = chartOptionsToQuery(o, q);
    expect(out.get("tab")).toBe("charts");
    expect(chartOptionsFromQuery(out)).toEqual(o);
  });
  it("falls back to defaults on nonsense", () => {
    const o = chartOptionsFromQuery(new URLSearchParams("x=bogus&smooth=abc"));
    expect(o.xKind).toBe("step");
    expect(o.smoothing).toBe(0);
  });
});

describe("formatDuration", () => {
  it("formats seconds, minutes and hours", () => {
    expect(formatDuration(3.5)).toBe("3.5s");
    expect(formatDuration(125)).toBe("2:05");
    expect(formatDuration(3723)).toBe("1:02:03");
  });
});
