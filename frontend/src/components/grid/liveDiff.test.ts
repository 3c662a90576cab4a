import { describe, expect, it } from "vitest";
import { byId, cellKey, changedKeys, nextPoll, rowKey } from "./liveDiff";
import { PageCache } from "./pageCache";

describe("changedKeys", () => {
  const held = byId([
    { "sys/id": "A", loss: 1, tags: ["x"] },
    { "sys/id": "B", loss: 2, tags: [] },
  ]);
  it("names the cells whose value changed and the rows not held", () => {
    const fresh = [
      { "sys/id": "C", loss: 0.5, tags: [] },
      { "sys/id": "A", loss: 0.9, tags: ["x"] },
      { "sys/id": "B", loss: 2, tags: ["y"] },
    ];
    expect(changedKeys(held, fresh, ["sys/id", "loss", "tags"])).toEqual([rowKey("C"), cellKey("A", "loss"), cellKey("B", "tags")]);
  });
  it("is empty when nothing changed (lists compared by value)", () => {
    expect(changedKeys(held, [{ "sys/id": "A", loss: 1, tags: ["x"] }], ["loss", "tags"])).toEqual([]);
  });
});

describe("nextPoll", () => {
  it("waits at least the interval, longer after a slow answer", () => {
    expect(nextPoll(2000, 50)).toBe(2000);
    expect(nextPoll(2000, 800)).toBe(8000);
  });
});

describe("PageCache live writes", () => {
  it("writes fresh rows into held pages only, and forgets pages outside the window", () => {
    const c = new PageCache<number>(10);
    c.put(0, [...Array(10).keys()]);
    c.put(1, [...Array(10).keys()].map((i) => i + 10));
    c.put(5, [50]);
    c.setRows(8, [-8, -9, -10, -11]);
    expect([c.get(7), c.get(8), c.get(9), c.get(10), c.get(11), c.get(12)]).toEqual([7, -8, -9, -10, -11, 12]);
    c.setRows(30, [1]); // page 3 is not held: left out
    expect(c.has(3)).toBe(false);
    c.keepOnly(0, 1);
    expect([c.has(0), c.has(1), c.has(5)]).toEqual([true, true, false]);
  });
});
