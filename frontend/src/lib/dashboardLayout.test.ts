import { describe, expect, it } from "vitest";
import { clampBox, collides, compact, firstFree, isValidLayout, moveBox, newId, resizeBox, type Box } from "./dashboardLayout";

const b = (id: string, x: number, y: number, w: number, h: number): Box => ({ id, x, y, w, h });
const at = (items: Box[], id: string) => {
  const f = items.find((i) => i.id === id) as Box;
  return [f.x, f.y, f.w, f.h];
};

describe("dashboard layout", () => {
  it("detects overlaps, not touching edges", () => {
    expect(collides(b("a", 0, 0, 6, 2), b("b", 6, 0, 6, 2))).toBe(false);
    expect(collides(b("a", 0, 0, 6, 2), b("b", 0, 2, 6, 2))).toBe(false);
    expect(collides(b("a", 0, 0, 6, 2), b("b", 5, 1, 6, 2))).toBe(true);
    expect(collides(b("a", 0, 0, 6, 2), b("a", 0, 0, 6, 2))).toBe(false); // itself
  });

  it("places a new widget in the first free spot", () => {
    expect(firstFree([], 6, 4)).toEqual({ x: 0, y: 0 });
    expect(firstFree([b("a", 0, 0, 6, 4)], 6, 4)).toEqual({ x: 6, y: 0 });
    expect(firstFree([b("a", 0, 0, 6, 4), b("b", 6, 0, 6, 2)], 6, 4)).toEqual({ x: 6, y: 2 }); // under b
    // a hole big enough is used before the bottom
    expect(firstFree([b("a", 0, 0, 4, 4), b("b", 8, 0, 4, 4), b("c", 0, 4, 12, 2)], 4, 3)).toEqual({ x: 4, y: 0 });
    // too wide a request is clamped to the grid
    expect(firstFree([b("a", 0, 0, 12, 2)], 30, 2)).toEqual({ x: 0, y: 2 });
  });

  it("clamps a box into the grid", () => {
    expect(clampBox(b("a", 10, -3, 6, 99))).toEqual(b("a", 6, 0, 6, 40));
    expect(clampBox(b("a", 2.6, 1.2, 0, 0))).toEqual(b("a", 3, 1, 1, 1));
  });

  it("pushes the widgets a moved one lands on down", () => {
    const items = [b("a", 0, 0, 6, 2), b("b", 6, 0, 6, 2), b("c", 0, 2, 12, 2)];
    const out = moveBox(items, "c", 3, 0); // a 12-wide widget cannot start at 3
    expect(at(out, "c")).toEqual([0, 0, 12, 2]);
    expect(at(out, "a")).toEqual([0, 2, 6, 2]);
    expect(at(out, "b")).toEqual([6, 2, 6, 2]);
    expect(isValidLayout(out)).toBe(true);
  });

  it("moves down past a widget, which moves up into the space left", () => {
    const items = [b("a", 0, 0, 12, 2), b("b", 0, 2, 12, 3)];
    const out = moveBox(items, "a", 0, 5);
    expect(at(out, "b")).toEqual([0, 0, 12, 3]);
    expect(at(out, "a")).toEqual([0, 3, 12, 2]);
  });

  it("keeps chains valid: a push that pushes another", () => {
    const items = [b("a", 0, 0, 4, 2), b("b", 0, 2, 4, 2), b("c", 0, 4, 4, 2), b("d", 4, 0, 8, 6)];
    const out = moveBox(items, "d", 0, 0);
    expect(isValidLayout(out)).toBe(true);
    expect(at(out, "d")).toEqual([0, 0, 8, 6]);
    expect(at(out, "a")[1]).toBe(6);
    expect(at(out, "b")[1]).toBe(8);
    expect(at(out, "c")[1]).toBe(10);
  });

  it("resizes, pushing neighbours below and staying inside the grid", () => {
    const items = [b("a", 0, 0, 6, 2), b("b", 0, 2, 6, 2), b("c", 6, 0, 6, 2)];
    const out = resizeBox(items, "a", 20, 4);
    expect(at(out, "a")).toEqual([0, 0, 12, 4]);
    expect(isValidLayout(out)).toBe(true);
    expect(at(out, "c")[1]).toBeGreaterThanOrEqual(4);
    expect(at(out, "b")[1]).toBeGreaterThanOrEqual(4);
    // shrinking lets the ones below come up
    const back = resizeBox(out, "a", 6, 1);
    expect(at(back, "a")).toEqual([0, 0, 6, 1]);
    expect(at(back, "c")).toEqual([6, 0, 6, 2]);
    expect(isValidLayout(back)).toBe(true);
  });

  it("compacts empty rows away, keeping the order", () => {
    const out = compact([b("a", 0, 5, 6, 2), b("b", 0, 10, 6, 2), b("c", 6, 3, 6, 1)]);
    expect(at(out, "a")).toEqual([0, 0, 6, 2]);
    expect(at(out, "b")).toEqual([0, 2, 6, 2]);
    expect(at(out, "c")).toEqual([6, 0, 6, 1]);
    // an overlapping input comes out valid
    expect(isValidLayout(compact([b("a", 0, 0, 6, 2), b("b", 2, 1, 6, 2)]))).toBe(true);
  });

  it("names new widgets uniquely", () => {
    expect(newId([])).toBe("w1");
    expect(newId([b("w2", 0, 0, 1, 1)])).toBe("w3");
    expect(newId([b("w2", 0, 0, 1, 1), b("w3", 0, 0, 1, 1)])).toBe("w4");
  });

  it("stays valid over many random moves and resizes", () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let items: Box[] = [];
    for (let i = 0; i < 12; i++) {
      const w = 1 + rnd(12);
      const h = 1 + rnd(6);
      items.push({ id: `w${i}`, ...firstFree(items, w, h), w, h });
    }
    expect(isValidLayout(items)).toBe(true);
    for (let k = 0; k < 300; k++) {
      const id = `w${rnd(12)}`;
      items = k % 2 ? moveBox(items, id, rnd(14) - 1, rnd(20)) : resizeBox(items, id, 1 + rnd(13), 1 + rnd(8));
      expect(isValidLayout(items)).toBe(true);
    }
  });
});
