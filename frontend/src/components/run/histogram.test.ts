import { describe, expect, it } from "vitest";
import { binGeometry, formatNumber, isHistogramSeries, mightBeHistogramSeries, niceTicks, parseHistogram } from "./histogram";

// the text despina.types.Histogram.to_json writes
const COUNTS = '{"type":"COUNTS","edges":[0.0,1.0,40.0,89.0,1000.0],"values":[5,82,44,1]}';
const DENS = '{"type": "DENSITIES", "edges": [-1, 0, 1], "values": [0.25, 0.75]}';

describe("parseHistogram", () => {
  it("reads counts and densities", () => {
    const a = parseHistogram(COUNTS);
    expect(a).toEqual({ ok: true, histogram: { type: "COUNTS", edges: [0, 1, 40, 89, 1000], values: [5, 82, 44, 1] } });
    const b = parseHistogram(DENS);
    expect(b.ok && b.histogram.type).toBe("DENSITIES");
    expect(parseHistogram('{"type":"counts","edges":[0,1],"values":[3]}').ok).toBe(true);
  });

  it("says why a point is not a histogram, never throws", () => {
    const bad: [unknown, RegExp][] = [
      ["step 1: loss=0.5", /not a JSON object/],
      ["{not json", /not valid JSON/],
      ['{"type":"COUNTS","edges":[0,1],"values":NaN}', /not valid JSON/],
      ["[1,2]", /not a JSON object/],
      ["null", /not a JSON object/],
      ['{"type":"OTHER","edges":[0,1],"values":[1]}', /type/],
      ['{"edges":[0,1],"values":[1]}', /type/],
      ['{"type":"COUNTS","edges":[0,"1"],"values":[1]}', /edges/],
      ['{"type":"COUNTS","edges":[0,1],"values":["<b>1</b>"]}', /values/],
      ['{"type":"COUNTS","edges":[0,1,2],"values":[1]}', /1 values need 2 edges, got 3/],
      ['{"type":"COUNTS","edges":[0,2,1],"values":[1,1]}', /increase/],
      ['{"type":"COUNTS","edges":[0,0],"values":[1]}', /increase/],
      ['{"type":"COUNTS","edges":[0],"values":[]}', /no bins/],
      [42, /not text/],
      [undefined, /not text/],
    ];
    for (const [text, reason] of bad) {
      const r = parseHistogram(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(reason);
    }
  });
});

describe("recognising a histogram series", () => {
  it("by its last point", () => {
    expect(isHistogramSeries(COUNTS)).toBe(true);
    expect(isHistogramSeries("step 199: loss=0.1")).toBe(false);
    expect(isHistogramSeries(null)).toBe(false);
  });
  it("by most of its first points when the last one is bad", () => {
    expect(isHistogramSeries("{bad", [COUNTS, DENS, "{oops"])).toBe(true);
    expect(isHistogramSeries("{bad", [COUNTS, "{oops"])).toBe(false);
    expect(isHistogramSeries("{bad", ['{"a": 1}', "{}"])).toBe(false);
  });
  it("reads the first points only for a last point that looks like JSON", () => {
    expect(mightBeHistogramSeries(" {x")).toBe(true);
    expect(mightBeHistogramSeries("step 1")).toBe(false);
    expect(mightBeHistogramSeries(null)).toBe(false);
  });
});

describe("binGeometry", () => {
  const frame = { left: 10, top: 5, width: 100, height: 50 };
  it("places bins by their edges and heights by their values", () => {
    const g = binGeometry({ type: "COUNTS", edges: [0, 1, 3, 4], values: [2, 4, 0] }, frame);
    expect(g.xDomain).toEqual([0, 4]);
    expect(g.yDomain).toEqual([0, 4]);
    expect(g.bars.map((b) => [b.lo, b.hi, b.value])).toEqual([
      [0, 1, 2],
      [1, 3, 4],
      [3, 4, 0],
    ]);
    expect(g.bars.map((b) => [b.x, b.width])).toEqual([
      [10, 25],
      [35, 50],
      [85, 25],
    ]);
    // the zero line is the frame's bottom (55); 4 reaches its top (5)
    expect(g.bars.map((b) => [b.y, b.height])).toEqual([
      [30, 25],
      [5, 50],
      [55, 0],
    ]);
  });
  it("draws negative values below the zero line and all-zero histograms flat", () => {
    const g = binGeometry({ type: "DENSITIES", edges: [0, 1, 2], values: [-1, 1] }, frame);
    expect(g.yDomain).toEqual([-1, 1]);
    expect(g.bars[0]).toMatchObject({ y: 30, height: 25 });
    expect(g.bars[1]).toMatchObject({ y: 5, height: 25 });
    const z = binGeometry({ type: "COUNTS", edges: [0, 1], values: [0] }, frame);
    expect(z.yDomain).toEqual([0, 1]);
    expect(z.bars[0].height).toBe(0);
  });
});

describe("axis ticks and numbers", () => {
  it("picks round ticks inside the range", () => {
    expect(niceTicks(0, 1000, 5)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(-1, 1, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(0.3, 0.9, 3)).toEqual([0.4, 0.6, 0.8]);
    expect(niceTicks(2, 2)).toEqual([2]);
  });
  it("formats numbers short", () => {
    expect(formatNumber(0)).toBe("0");
    expect(formatNumber(82)).toBe("82");
    expect(formatNumber(0.123456)).toBe("0.1235");
    expect(formatNumber(1234567)).toBe("1.23e+6");
    expect(formatNumber(0.00001)).toBe("1e-5");
  });
});
