import { describe, expect, it } from "vitest";
import { aggregatable, aggregateText, bucketValue, groupBand, groupFilter, keyText, meanStd } from "./groups";
import type { BucketSeries } from "./series";
import { decodeState, encodeState } from "./urlstate";

function series(uuid: string, edges: number[], sums: (number | null)[], counts: number[], nans: number[] = []): BucketSeries {
  const n = edges.length - 1;
  return {
    uuid,
    path: "loss",
    x: "step",
    edges,
    first: [],
    last: [],
    min: [],
    max: [],
    sum: sums,
    count: counts,
    nan_count: nans.length ? nans : new Array(n).fill(0),
    pos_inf_count: new Array(n).fill(0),
    neg_inf_count: new Array(n).fill(0),
  };
}

describe("group band", () => {
  const edges = [0, 10, 20, 30];
  const a = series("a", edges, [1, 4, null], [1, 2, 0]); // values 1, 2, –
  const b = series("b", edges, [3, 12, 5], [1, 2, 1]); // values 3, 6, 5
  const c = series("c", edges, [8, 20, 7], [1, 2, 2], [0, 0, 1]); // 8, 10, 7 (one NaN left out)

  it("bucket values are the mean of the finite points", () => {
    expect([0, 1, 2].map((i) => bucketValue(c, i))).toEqual([8, 10, 7]);
    expect(bucketValue(a, 2)).toBeNull();
  });

  it("min–max band: the mean of the runs between their smallest and largest value", () => {
    const band = groupBand([a, b, c], "minmax");
    expect(band.x).toEqual([5, 15, 25]);
    expect(band.mean).toEqual([4, 6, 6]);
    expect(band.low).toEqual([1, 2, 5]);
    expect(band.high).toEqual([8, 10, 7]);
    expect(band.runs).toEqual([3, 3, 2]);
  });

  it("std band: mean ± the population standard deviation", () => {
    const band = groupBand([a, b, c], "std");
    const s0 = Math.sqrt(((1 - 4) ** 2 + (3 - 4) ** 2 + (8 - 4) ** 2) / 3);
    expect(band.low[0]).toBeCloseTo(4 - s0, 12);
    expect(band.high[0]).toBeCloseTo(4 + s0, 12);
    expect(band.low[2]).toBeCloseTo(5, 12); // 5 and 7: std 1
    expect(band.high[2]).toBeCloseTo(7, 12);
  });

  it("no series, or buckets no run has, draw nothing", () => {
    expect(groupBand([], "minmax").x).toEqual([]);
    expect(groupBand([series("z", edges, [null, null, null], [0, 0, 0])], "std").x).toEqual([]);
  });

  it("meanStd follows the server's definition (population std)", () => {
    expect(meanStd([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, std: 2 });
    expect(meanStd([])).toBeNull();
  });
});

describe("group rows", () => {
  it("keys read by their type; the missing group reads (none)", () => {
    expect(keyText(0.001, "float")).toBe("0.001");
    expect(keyText("Infinity", "float")).toBe("∞");
    expect(keyText("NaN", "float")).toBe("NaN");
    expect(keyText(true, "bool")).toBe("true");
    expect(keyText(null, null)).toBe("(none)");
    expect(keyText('<img src=x onerror="alert(1)">', "string")).toBe('<img src=x onerror="alert(1)">');
  });

  it("aggregates: numbers, special floats, none", () => {
    expect(aggregateText(0.5)).toBe("0.5");
    expect(aggregateText("-Infinity")).toBe("-∞");
    expect(aggregateText(null)).toBe("–");
  });

  it("number columns aggregate, others do not", () => {
    expect(aggregatable("metrics/acc", "float")).toBe(true);
    expect(aggregatable("loss", "float_series")).toBe(true);
    expect(aggregatable("params/bs", "int")).toBe(true);
    expect(aggregatable("sys/name", "string")).toBe(false);
    expect(aggregatable("sys/running_time", undefined)).toBe(true);
  });

  it("a group's runs: the table's filter AND the group's", () => {
    expect(groupFilter("", "`p`:float = 1.0")).toBe("`p`:float = 1.0");
    expect(groupFilter("a OR b", "`p`:float = 1.0")).toBe("(a OR b) AND (`p`:float = 1.0)");
  });

  it("the grouping is in the URL, in order, and round-trips", () => {
    const s = decodeState(new URLSearchParams("g=params/lr&g=sys/tags&g=params/lr&ga=max"));
    expect(s.groups).toEqual(["params/lr", "sys/tags"]);
    expect(s.groupAggregate).toBe("max");
    expect(encodeState(s).toString()).toBe("g=params%2Flr&g=sys%2Ftags&ga=max");
    expect(decodeState(new URLSearchParams("ga=median")).groupAggregate).toBe("mean");
    expect(encodeState(decodeState(new URLSearchParams(""))).toString()).toBe("");
  });
});
