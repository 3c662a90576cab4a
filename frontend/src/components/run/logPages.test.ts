import { describe, expect, it } from "vitest";
import { LineCache, MatchPages, foldAscii, highlightParts, pagesFor, toLines, type MatchAnswer } from "./logPages";

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

});

/** The server's answer for matches [offset, offset+limit) of `all` (indexes of matching lines). */
function answer(all: number[], offset: number, limit: number): MatchAnswer {
  const indexes = all.slice(offset, offset + limit);
  return { indexes, steps: indexes, values: indexes.map((i) => `line ${i}`), timestamps: indexes.map(() => 0), total: all.length };
}

describe("search match pages", () => {
  it("asks for the first page until the total is known, then for the pages in view", () => {
    const m = new MatchPages("line", 10);
    expect(m.total).toBeNull();
    expect(m.claimMissing(0, 50)).toEqual([0]);
    expect(m.claimMissing(0, 50)).toEqual([]); // in flight
    const all = Array.from({ length: 35 }, (_, i) => i * 3);
    m.put(0, answer(all, 0, 10));
    expect(m.total).toBe(35);
    expect(m.match(4)).toEqual({ index: 12, line: { step: 12, timestamp: 0, text: "line 12" } });
    expect(m.match(10)).toBeUndefined();
    expect(m.claimMissing(0, 25)).toEqual([1, 2]);
    expect(m.claimMissing(30, 100)).toEqual([3]); // clamped to the total
    m.fail(2);
    expect(m.claimMissing(0, 25)).toEqual([2]);
  });

  it("finds no match: an empty first page and a total of 0", () => {
    const m = new MatchPages("zzz", 10);
    m.claimMissing(0, 20);
    m.put(0, answer([], 0, 10));
    expect(m.total).toBe(0);
    expect(m.claimMissing(0, 20)).toEqual([]);
  });

  it("asks for the last page again when a live log grows, and for a short page left behind", () => {
    const m = new MatchPages("line", 10);
    m.claimMissing(0, 10);
    m.put(0, answer([1, 2, 3], 0, 10));
    m.grow();
    expect(m.claimMissing(0, 10)).toEqual([0]);
    const grown = Array.from({ length: 25 }, (_, i) => i + 1);
    m.put(0, answer(grown, 0, 10));
    expect(m.total).toBe(25);
    expect(m.claimMissing(0, 10)).toEqual([]);
    // a page held below the end after the total grows is short: it is dropped and asked again
    m.claimMissing(20, 25);
    m.put(2, answer(grown, 20, 10));
    m.grow(); // the last page is out of view but is asked for, to learn the new total
    expect(m.claimMissing(0, 10)).toEqual([2]);
    const more = Array.from({ length: 31 }, (_, i) => i + 1);
    m.put(2, answer(more, 20, 10));
    expect(m.total).toBe(31);
    expect(m.claimMissing(25, 31)).toEqual([3]);
  });
});

describe("search highlighting", () => {
  it("folds A-Z only, as the server does", () => {
    expect(foldAscii("ERROR Café CAFÉ ΣΑ")).toBe("error café cafÉ ΣΑ");
  });

  it("cuts a line around every occurrence of the text", () => {
    expect(highlightParts("Error: an error", "error")).toEqual([
      ["Error", true],
      [": an ", false],
      ["error", true],
    ]);
    expect(highlightParts("100% done", "%")).toEqual([
      ["100", false],
      ["%", true],
      [" done", false],
    ]);
    expect(highlightParts("nothing here", "zzz")).toEqual([["nothing here", false]]);
    expect(highlightParts("", "x")).toEqual([["", false]]);
    expect(highlightParts("café", "CAFÉ")).toEqual([["café", false]]);
  });
});

describe("toLines", () => {
  it("drops terminal colour codes", () => {
    const [l] = toLines({ steps: [3], values: ["\u001b[1;31mERROR\u001b[0m disk \u001b[2Kfull"], timestamps: [7] });
    expect(l).toEqual({ step: 3, timestamp: 7, text: "ERROR disk full" });
  });
});
