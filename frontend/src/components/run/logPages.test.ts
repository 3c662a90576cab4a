import { describe, expect, it } from "vitest";
import { LineCache, pagesFor, searchLines, toLines } from "./logPages";

describe("log windowing", () => {
  it("asks only for the pages a window covers", () => {
    expect(pagesFor(0, 50, 100_000)).toEqual([0]);
    expect(pagesFor(990, 1010, 100_000)).toEqual([0, 1]);
    expect(pagesFor(99_990, 100_030, 100_000)).toEqual([99]);
    expect(pagesFor(0, 10, 0)).toEqual([]);
  });

  it("claims each missing page once and serves lines once stored", () => {
    const c = new LineCache(10);
    expect(c.claimMissing(0, 25, 100)).toEqual([0, 1, 2]);
    expect(c.claimMissing(5, 25, 100)).toEqual([]); // in flight
    c.put(1, Array.from({ length: 10 }, (_, i) => ({ step: 10 + i, timestamp: 0, text: `l${10 + i}` })));
    expect(c.line(13)?.text).toBe("l13");
    expect(c.line(3)).toBeUndefined();
    c.fail(0);
    expect(c.claimMissing(0, 5, 100)).toEqual([0]);
  });

  it("fetches a short last page again when the log grows", () => {
    const c = new LineCache(10);
    c.claimMissing(0, 20, 15);
    c.put(0, Array.from({ length: 10 }, () => ({ step: 0, timestamp: 0, text: "" })));
    c.put(1, Array.from({ length: 5 }, () => ({ step: 0, timestamp: 0, text: "" })));
    c.grow(15);
    expect(c.has(1)).toBe(true);
    c.grow(18);
    expect(c.has(1)).toBe(false);
    expect(c.has(0)).toBe(true);
    expect(c.claimMissing(0, 20, 18)).toEqual([1]);
  });

  it("finds lines case-insensitively, skipping lines not loaded", () => {
    const lines = toLines({ steps: [0, 1, 2], values: ["Epoch 1", "loss", "EPOCH 2"], timestamps: [0, 0, 0] });
    expect(searchLines([...lines, undefined], "epoch")).toEqual([0, 2]);
  });
});

describe("toLines", () => {
  it("drops terminal colour codes", () => {
    const [l] = toLines({ steps: [3], values: ["\u001b[1;31mERROR\u001b[0m disk \u001b[2Kfull"], timestamps: [7] });
    expect(l).toEqual({ step: 3, timestamp: 7, text: "ERROR disk full" });
  });
});
