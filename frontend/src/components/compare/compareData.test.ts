import { describe, expect, it } from "vitest";
import type { FieldValue } from "../../api/fields";
import { axesFor, axisPosition, diffRows, numericPaths, numericValue, seriesPaths } from "./compareData";

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
});
