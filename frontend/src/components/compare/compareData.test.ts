import { describe, expect, it } from "vitest";
import type { FieldValue } from "../../api/fields";
import { axesFor, axisPosition, defaultAxes, diffRows, numericPaths, numericValue, seriesPaths } from "./compareData";
import { elide, labelLayout } from "./ParallelCoordinates";

function run(fields: [string, string, unknown][]): Map<string, FieldValue> {
  return new Map(fields.map(([path, type, value]) => [path, { path, type, value }]));
}

const a = run([
  ["sys/id", "string", "R-1"],
  ["sys/name", "string", "<b>first</b>"],
  ["params/lr", "float", 0.1],
  ["params/opt", "string", "adam"],
  ["train/loss", "float_series", { count: 3, last_value: 0.5 }],
  ["train/acc", "float_series", { count: 3, last_value: 0.9 }],
  ["flag", "bool", true],
  ["same", "float_series", { count: 2, last_value: 1, last_timestamp: 100 }],
]);
const b = run([
  ["sys/id", "string", "R-2"],
  ["sys/name", "string", "second"],
  ["params/lr", "float", 0.01],
  ["params/opt", "string", "adam"],
  ["train/loss", "float_series", { count: 3, last_value: "NaN" }],
  ["extra", "int", 3],
  ["same", "float_series", { count: 2, last_value: 1, last_timestamp: 200 }],
]);

describe("compare data", () => {
  it("lists shared float series, or all of them", () => {
    expect(seriesPaths([a, b])).toEqual(["same", "train/loss"]);
    expect(seriesPaths([a, b], true)).toEqual(["same", "train/acc", "train/loss"]);
  });

  it("keeps only fields that differ unless asked for all, ids aside", () => {
    const rows = diffRows([a, b]);
    const paths = rows.map((r) => r.path);
    expect(paths).toContain("params/lr");
    expect(paths).toContain("sys/name");
    expect(paths).not.toContain("params/opt");
    expect(paths).not.toContain("sys/id");
    expect(paths).not.toContain("same"); // written at other times, same values
    const lr = rows.find((r) => r.path === "params/lr")!;
    expect(lr.values).toEqual(["0.1", "0.01"]);
    const extra = rows.find((r) => r.path === "extra")!;
    expect(extra.values).toEqual(["", "3"]);
    const all = diffRows([a, b], true);
    expect(all.find((r) => r.path === "params/opt")?.differs).toBe(false);
    expect(rows.find((r) => r.path === "sys/name")?.values[0]).toBe("<b>first</b>");
  });

  it("reads numbers from floats, ints, bools and series' last values", () => {
    expect(numericValue(a.get("flag"))).toBe(1);
    expect(numericValue(a.get("train/loss"))).toBe(0.5);
    expect(numericValue(b.get("train/loss"))).toBeNull();
    expect(numericValue(a.get("params/opt"))).toBeNull();
    const { all, differing } = numericPaths([a, b]);
    expect(all).toEqual(["extra", "flag", "params/lr", "same", "train/acc", "train/loss"]);
    expect(differing).toEqual(["extra", "flag", "params/lr", "train/acc", "train/loss"]);
  });

  it("scales axes to the values, flat axes to a unit span", () => {
    const [lr, loss] = axesFor([a, b], ["params/lr", "train/loss"]);
    expect(lr).toEqual({ path: "params/lr", min: 0.01, max: 0.1 });
    expect(axisPosition(lr, 0.1)).toBe(1);
    expect(axisPosition(lr, 0.01)).toBe(0);
    expect(loss).toEqual({ path: "train/loss", min: 0, max: 1 });
    expect(axisPosition(loss, 0.5)).toBe(0.5);
    expect(axisPosition(loss, null)).toBeNull();
  });

  it("starts parallel coordinates with the params that vary, then other fields", () => {
    const differing = ["eval/a", "eval/b", "eval/c", "eval/d", "eval/e", "eval/f", "params/lr", "params/wd", "train/loss"];
    expect(defaultAxes(differing)).toEqual(["params/lr", "params/wd", "eval/a", "eval/b", "eval/c", "eval/d"]);
    const many = Array.from({ length: 8 }, (_, i) => `parameters/p${i}`);
    expect(defaultAxes([...differing, ...many])).toEqual(["params/lr", "params/wd", ...many]);
    expect(defaultAxes(["a", "b"])).toEqual(["a", "b"]);
    // a constant param is not among the differing paths, so never a default axis
    const { differing: d } = numericPaths([a, b]);
    expect(defaultAxes(d)).toContain("params/lr");
  });

  it("lays axis labels out apart: one row when they fit, else two, elided to their room", () => {
    expect(elide("eval/a_rather_long_metric_name_3", 10)).toBe("…ic_name_3");
    expect(elide("short", 10)).toBe("short");
    const xs = [60, 200, 340, 480];
    const one = labelLayout(["a/b", "c/d", "e/f", "g/h"], xs, 540);
    expect(one.map((l) => l.row)).toEqual([0, 0, 0, 0]);
    const long = Array.from({ length: 4 }, (_, i) => `eval/a_rather_long_metric_name_${i}`);
    const two = labelLayout(long, xs, 540);
    expect(two.map((l) => l.row)).toEqual([0, 1, 0, 1]);
    for (const [i, l] of two.entries()) {
      expect(l.text.endsWith(String(i))).toBe(true);
      // half its width on each side of its axis stays off its neighbours in the same row and the edges
      const half = (l.text.length * 7) / 2;
      expect(xs[i] - half).toBeGreaterThanOrEqual(0);
      expect(xs[i] + half).toBeLessThanOrEqual(540);
      if (i >= 2) expect(xs[i - 2] + (two[i - 2].text.length * 7) / 2).toBeLessThan(xs[i] - half);
    }
  });
});
