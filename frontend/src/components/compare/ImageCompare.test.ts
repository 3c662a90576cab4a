import { describe, expect, it } from "vitest";
import type { FieldValue, SeriesFile } from "../../api/fields";
import { imageSeriesPaths, unionSteps } from "./ImageCompare";

function run(fields: [string, string][]): Map<string, FieldValue> {
  return new Map(fields.map(([path, type]) => [path, { path, type, value: { count: 1 } }]));
}

const shot = (hash: string): SeriesFile => ({ file: { hash, size: 1, extension: "png" }, name: "", description: "" });

describe("image compare", () => {
  it("offers the image series of any run, in natural order", () => {
    const a = run([["images/layer10", "file_series"], ["train/loss", "float_series"]]);
    const b = run([["images/layer2", "file_series"], ["images/layer10", "file_series"], ["notes", "file"]]);
    expect(imageSeriesPaths([a, b])).toEqual(["images/layer2", "images/layer10"]);
    expect(imageSeriesPaths([])).toEqual([]);
  });

  it("steps are those any run has an image at, ascending, runs still loading aside", () => {
    const a = new Map([[2, shot("a2")], [0, shot("a0")]]);
    const b = new Map([[5, shot("b5")], [2, shot("b2")]]);
    expect(unionSteps([a, undefined, b])).toEqual([0, 2, 5]);
    expect(unionSteps([])).toEqual([]);
  });
});
