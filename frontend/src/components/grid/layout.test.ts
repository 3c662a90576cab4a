import { describe, expect, it } from "vitest";
import { columnAt, columnOffsets, elidePath, moveColumn, moveItem, resizedWidth, visibleColumns, visibleRows } from "./layout";

describe("visibleRows", () => {
  it("gives the rows in view plus overscan", () => {
    expect(visibleRows(0, 280, 28, 100_000, 5)).toEqual({ start: 0, end: 15 });
    // row 50,000 at the top of a 10-row viewport
    expect(visibleRows(50_000 * 28, 280, 28, 100_000, 5)).toEqual({ start: 49_995, end: 50_015 });
  });
  it("stops at the ends", () => {
    expect(visibleRows(99_995 * 28, 280, 28, 100_000, 5)).toEqual({ start: 99_990, end: 100_000 });
    expect(visibleRows(-50, 280, 28, 3)).toEqual({ start: 0, end: 3 });
    expect(visibleRows(0, 280, 28, 0)).toEqual({ start: 0, end: 0 });
  });
  it("counts a partly shown row", () => {
    expect(visibleRows(14, 28, 28, 100, 0)).toEqual({ start: 0, end: 2 });
  });
});

describe("columns", () => {
  const offsets = columnOffsets([100, 50, 200, 80]);
  it("has running offsets", () => {
    expect(offsets).toEqual([0, 100, 150, 350, 430]);
  });
  it("finds the column under x", () => {
    expect(columnAt(offsets, 0)).toBe(0);
    expect(columnAt(offsets, 99)).toBe(0);
    expect(columnAt(offsets, 100)).toBe(1);
    expect(columnAt(offsets, 349)).toBe(2);
    expect(columnAt(offsets, 10_000)).toBe(3);
  });
  it("shows the columns crossing the viewport", () => {
    expect(visibleColumns(offsets, 0, 120, 0)).toEqual({ start: 0, end: 2 });
    expect(visibleColumns(offsets, 160, 100, 0)).toEqual({ start: 2, end: 3 });
    expect(visibleColumns(offsets, 160, 100, 1)).toEqual({ start: 1, end: 4 });
  });
  it("draws few of many columns", () => {
    const many = columnOffsets(new Array(5000).fill(120));
    const r = visibleColumns(many, 120 * 2500, 1200, 1);
    expect(r.end - r.start).toBeLessThanOrEqual(13);
    expect(r.start).toBe(2499);
  });
});

describe("column edits", () => {
  const cols = ["sys/id", "a", "b", "c"];
  it("moves a column before another", () => {
    expect(moveColumn(cols, "c", "a")).toEqual(["sys/id", "c", "a", "b"]);
    expect(moveColumn(cols, "a", "c")).toEqual(["sys/id", "b", "a", "c"]);
    expect(moveColumn(cols, "a", null)).toEqual(["sys/id", "b", "c", "a"]);
  });
  it("leaves the list alone for unknown or same columns", () => {
    expect(moveColumn(cols, "zzz", "a")).toEqual(cols);
    expect(moveColumn(cols, "a", "a")).toEqual(cols);
  });
  it("moves by index, clamped, without touching the input", () => {
    expect(moveItem(cols, 1, 2)).toEqual(["sys/id", "b", "a", "c"]);
    expect(moveItem(cols, 3, -4)).toEqual(["c", "sys/id", "a", "b"]);
    expect(cols).toEqual(["sys/id", "a", "b", "c"]);
  });
  it("resizes within bounds", () => {
    expect(resizedWidth(100, 37.4)).toBe(137);
    expect(resizedWidth(100, -500)).toBe(40);
    expect(resizedWidth(100, 5000)).toBe(2000);
  });
});

describe("elidePath", () => {
  const within = (chars: number) => (t: string) => t.length <= chars;
  it("keeps a path that fits", () => {
    expect(elidePath("parameters/lr", within(20))).toBe("parameters/lr");
  });
  it("keeps the last segment, so sibling columns read apart", () => {
    const a = elidePath("parameters/lr", within(10));
    const b = elidePath("parameters/batch_size", within(10));
    expect(a).toBe("parame…/lr");
    expect(b).toBe("batch_siz…");
    expect(a).not.toBe(b);
    expect(elidePath("parameters/batch_size", within(13))).toBe("p…/batch_size");
    expect(elidePath("parameters/batch_size", within(12))).toBe("…/batch_size");
  });
  it("cuts the last segment's end when even it does not fit", () => {
    expect(elidePath("parameters/batch_size", within(8))).toBe("batch_s…");
    expect(elidePath("loss", within(3))).toBe("lo…");
    expect(elidePath("loss", within(0))).toBe("…");
  });
});
