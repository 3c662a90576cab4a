import { describe, expect, it } from "vitest";
import { PageCache } from "./pageCache";

const rows = (page: number, size: number) => Array.from({ length: size }, (_, i) => page * size + i);

describe("PageCache", () => {
  it("asks only for the pages a range needs", () => {
    const c = new PageCache<number>(200);
    expect(c.pagesFor(0, 30)).toEqual([0]);
    expect(c.pagesFor(190, 230)).toEqual([0, 1]);
    expect(c.pagesFor(50_000, 50_030)).toEqual([250]);
    expect(c.missing(190, 230)).toEqual([0, 1]);
  });
  it("does not ask twice for a page on its way or held", () => {
    const c = new PageCache<number>(200);
    c.begin(0);
    expect(c.missing(0, 400)).toEqual([1]);
    c.put(0, rows(0, 200));
    expect(c.missing(0, 400)).toEqual([1]);
    expect(c.get(5)).toBe(5);
    expect(c.get(205)).toBeUndefined();
  });
  it("aborts requests for pages scrolled past", () => {
    const c = new PageCache<number>(200);
    const a = c.begin(3);
    const b = c.begin(250);
    expect(c.cancelOutside(249, 251)).toEqual([3]);
    expect(a.signal.aborted).toBe(true);
    expect(b.signal.aborted).toBe(false);
    expect(c.missing(600, 610)).toEqual([3]);
  });
  it("keeps at most maxPages, evicting the furthest", () => {
    const c = new PageCache<number>(10, 3);
    for (const p of [0, 1, 2]) c.put(p, rows(p, 10));
    c.put(50, rows(50, 10), 50);
    expect(c.size).toBe(3);
    expect(c.has(0)).toBe(false);
    expect(c.has(50)).toBe(true);
    expect(c.get(505)).toBe(505);
  });
  it("forgets failed pages so they can be asked again", () => {
    const c = new PageCache<number>(10);
    c.begin(2);
    c.fail(2);
    expect(c.missing(20, 25)).toEqual([2]);
  });
  it("does not ask again for a page the server refused", () => {
    const c = new PageCache<number>(10);
    c.begin(0);
    c.fail(0, true);
    expect(c.missing(0, 5)).toEqual([]);
    c.clear();
    expect(c.missing(0, 5)).toEqual([0]);
  });
  it("patches held rows and clears everything", () => {
    const c = new PageCache<{ id: string; tags: string[] }>(2);
    c.put(0, [
      { id: "A-1", tags: [] },
      { id: "A-2", tags: [] },
    ]);
    c.update(
      (r) => r.id === "A-2",
      (r) => ({ ...r, tags: ["x"] }),
    );
    expect(c.get(1)?.tags).toEqual(["x"]);
    expect(c.get(0)?.tags).toEqual([]);
    const pending = c.begin(5);
    c.clear();
    expect(pending.signal.aborted).toBe(true);
    expect(c.size).toBe(0);
  });
});
