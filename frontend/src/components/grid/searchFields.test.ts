import { describe, expect, it } from "vitest";
import { searchFields } from "./searchFields";

const fields = [
  { path: "train/loss", type: "float_series" },
  { path: "params/lr", type: "float" },
  { path: "params/layers/lr_decay", type: "float" },
  { path: "sys/tags", type: "string_set" },
];

describe("searchFields", () => {
  it("matches every word anywhere, case-insensitive", () => {
    expect(searchFields(fields, "LR").shown.map((f) => f.path)).toEqual(["params/layers/lr_decay", "params/lr"]);
    expect(searchFields(fields, "params decay").shown.map((f) => f.path)).toEqual(["params/layers/lr_decay"]);
  });
  it("puts prefix matches first", () => {
    expect(searchFields(fields, "sys").shown[0].path).toBe("sys/tags");
    expect(searchFields(fields, "train").shown.map((f) => f.path)).toEqual(["train/loss"]);
  });
  it("limits what is shown and counts the rest", () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ path: `m/${i}`, type: "float" }));
    const r = searchFields(many, "m/", 50);
    expect(r.shown).toHaveLength(50);
    expect(r.more).toBe(950);
  });
  it("lists everything for an empty query, sorted", () => {
    expect(searchFields(fields, "").shown.map((f) => f.path)).toEqual([
      "params/layers/lr_decay",
      "params/lr",
      "sys/tags",
      "train/loss",
    ]);
  });
});
