import { describe, expect, it } from "vitest";
import { deltaE, hexToLab, PALETTE_SIZE, runColor, runPalette, withAlpha } from "./colors";

/** The smallest distance between any two of these colours. */
function minDistance(hexes: string[]): number {
  const labs = hexes.map(hexToLab);
  let min = Infinity;
  for (let i = 0; i < labs.length; i++) for (let j = i + 1; j < labs.length; j++) min = Math.min(min, deltaE(labs[i], labs[j]));
  return min;
}

describe("run palette", () => {
  it("has at least 60 distinct colours before it repeats", () => {
    const p = runPalette();
    expect(p.length).toBe(PALETTE_SIZE);
    expect(PALETTE_SIZE).toBeGreaterThanOrEqual(60);
    expect(new Set(p).size).toBe(p.length);
    for (const hex of p) expect(hex).toMatch(/^#[0-9a-f]{6}$/);
    const runs = Array.from({ length: 60 }, (_, i) => runColor(i));
    expect(new Set(runs).size).toBe(60);
    expect(runColor(PALETTE_SIZE)).toBe(runColor(0));
  });

  it("keeps its colours well apart, the first ones most", () => {
    const p = runPalette();
    // ΔE 2.3 is a just noticeable difference; chart lines need far more
    expect(minDistance(p)).toBeGreaterThan(12);
    expect(minDistance(p.slice(0, 10))).toBeGreaterThan(35);
    expect(minDistance(p.slice(0, 20))).toBeGreaterThan(25);
  });

  it("reads on a white page: no colour too light", () => {
    for (const hex of runPalette()) {
      const [l] = hexToLab(hex);
      expect(l, hex).toBeLessThan(72);
      expect(l, hex).toBeGreaterThan(30);
    }
  });

  it("is the same on every call, and run i always gets colour i", () => {
    const a = [...runPalette()];
    expect(runPalette()).toEqual(a);
    expect(runColor(0)).toBe("#3a5bd9");
    expect(runColor(17)).toBe(a[17]);
    expect(runColor(-1)).toBe(a[a.length - 1]);
  });

  it("gives a band its colour with an alpha", () => {
    expect(withAlpha("#3a5bd9", 0.15)).toBe("rgba(58, 91, 217, 0.15)");
    expect(hexToLab("#ffffff")[0]).toBeCloseTo(100, 1);
    expect(hexToLab("#000000")[0]).toBeCloseTo(0, 1);
  });
});
