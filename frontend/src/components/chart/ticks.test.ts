import { describe, expect, it } from "vitest";
import { durationTicks, labelWidth, numberTicks, timeTicks } from "./ticks";

/** Ticks as a chart library makes them: multiples of a 1/2/5 increment across [min, max],
 * with the float error of `start + k * incr` left in. */
function tickSet(min: number, max: number, count = 6): number[] {
  const raw = (max - min) / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const incr = [1, 2, 5, 10].map((m) => m * p).find((x) => x >= raw)!;
  const start = Math.ceil(min / incr) * incr;
  const out: number[] = [];
  for (let k = 0; start + k * incr <= max + incr * 1e-9; k++) out.push(start + k * incr);
  return out;
}

/** Distinct, and each label within 1 % of the gap to its nearest neighbour. */
function expectReadable(values: number[], labels: string[]): void {
  expect(labels).toHaveLength(values.length);
  expect(new Set(labels).size, labels.join(" ")).toBe(values.length);
  values.forEach((v, i) => {
    const gap = Math.min(
      i > 0 ? v - values[i - 1] : Infinity,
      i < values.length - 1 ? values[i + 1] - v : Infinity,
    );
    expect(Math.abs(Number(labels[i]) - v), `${labels[i]} for ${v}`).toBeLessThanOrEqual(gap / 100);
    expect(labels[i].length, labels[i]).toBeLessThanOrEqual(14);
  });
}

describe("numeric tick labels", () => {
  it("stay distinct and close to their ticks from 1e-9 to 1e9", () => {
    let sets = 0;
    for (let e = -9; e <= 9; e++) {
      for (const m of [1, 1.7, 4.2]) {
        const base = m * 10 ** e;
        for (const [lo, hi] of [
          [base, base * 3],
          [base, base * 1.05],
          [-base * 3, -base],
          [-base, base * 2],
          [0, base],
        ]) {
          const ticks = tickSet(lo, hi);
          if (ticks.length < 2) continue;
          expectReadable(ticks, numberTicks(ticks));
          sets++;
        }
      }
    }
    expect(sets).toBeGreaterThan(250);
  });

  it("keep a tiny span around a large offset apart", () => {
    for (const [lo, hi] of [
      [1000.0001, 1000.0002],
      [-1000.0002, -1000.0001],
      [1e6 + 0.001, 1e6 + 0.002],
      [123456.789, 123456.7891],
    ]) {
      const ticks = tickSet(lo, hi);
      expect(ticks.length).toBeGreaterThan(2);
      expectReadable(ticks, numberTicks(ticks));
    }
    expect(numberTicks([1000.0001, 1000.00012, 1000.00014])).toEqual(["1000.0001", "1000.00012", "1000.00014"]);
  });

  it("read plainly where plain is short, and in exponent form where it is not", () => {
    expect(numberTicks([0.0001, 0.00012, 0.00014])).toEqual(["0.0001", "0.00012", "0.00014"]);
    expect(numberTicks([0, 0.5, 1, 1.5])).toEqual(["0", "0.5", "1", "1.5"]);
    expect(numberTicks([0, 200, 400])).toEqual(["0", "200", "400"]);
    expect(numberTicks([1e-9, 2e-9, 3e-9])).toEqual(["1e-9", "2e-9", "3e-9"]);
    expect(numberTicks([1e9, 1.5e9, 2e9])).toEqual(["1e9", "1.5e9", "2e9"]);
    expect(numberTicks([-0.2, -0.1, 0, 0.1])).toEqual(["-0.2", "-0.1", "0", "0.1"]);
    // 0.1 + 0.2 is not written out in full
    expect(numberTicks([0.1, 0.1 + 0.1, 0.1 + 0.2])).toEqual(["0.1", "0.2", "0.3"]);
    // log axes: each decade to its own precision
    expect(numberTicks([1e-6, 1e-3, 1, 1e3, 1e6])).toEqual(["1e-6", "1e-3", "1", "1e3", "1e6"]);
  });

  it("name non-finite ticks and survive a single tick", () => {
    expect(numberTicks([NaN, 1, Infinity, -Infinity])).toEqual(["NaN", "1", "∞", "-∞"]);
    expect(numberTicks([0.000123])).toEqual(["1.23e-4"]);
    expect(numberTicks([])).toEqual([]);
  });
});

describe("relative-time tick labels", () => {
  it("keep sub-second ticks apart (not 0s 0s 0s 0.01s)", () => {
    expect(durationTicks([0, 0.002, 0.004, 0.006])).toEqual(["0s", "0.002s", "0.004s", "0.006s"]);
    expect(durationTicks([0, 5, 10])).toEqual(["0s", "5s", "10s"]);
    expect(durationTicks([60, 60.5, 61])).toEqual(["1:00.0", "1:00.5", "1:01.0"]);
    expect(durationTicks([0, 1800, 3600, 5400])).toEqual(["0:00", "30:00", "1:00:00", "1:30:00"]);
    expect(durationTicks([-10, 0, 10])).toEqual(["-10s", "0s", "10s"]);
  });

  it("stay distinct from a microsecond to days", () => {
    for (let e = -6; e <= 6; e++) {
      for (const offset of [0, 3, 59, 3599, 86400]) {
        const ticks = tickSet(offset, offset + 4 * 10 ** e);
        if (ticks.length < 2) continue;
        const labels = durationTicks(ticks);
        expect(new Set(labels).size, labels.join(" ")).toBe(ticks.length);
      }
    }
  });
});

describe("wall-time tick labels", () => {
  const t0 = new Date(2024, 4, 1, 14, 3, 0).getTime() / 1000;
  it("show the time as precisely as the ticks need, the date once a day", () => {
    expect(timeTicks([t0, t0 + 60, t0 + 120])).toEqual(["14:03\n2024-05-01", "14:04", "14:05"]);
    expect(timeTicks([t0, t0 + 10, t0 + 20])).toEqual(["14:03:00\n2024-05-01", "14:03:10", "14:03:20"]);
    expect(timeTicks([t0, t0 + 0.25, t0 + 0.5])).toEqual(["14:03:00.00\n2024-05-01", "14:03:00.25", "14:03:00.50"]);
    const midnight = new Date(2024, 4, 2).getTime() / 1000;
    expect(timeTicks([midnight - 3600, midnight, midnight + 3600])).toEqual([
      "23:00\n2024-05-01",
      "00:00\n2024-05-02",
      "01:00",
    ]);
    expect(timeTicks([midnight, midnight + 86400])).toEqual(["2024-05-02", "2024-05-03"]);
  });

  it("stay distinct from a millisecond to weeks", () => {
    for (let e = -3; e <= 6; e++) {
      const ticks = tickSet(t0, t0 + 4 * 10 ** e);
      if (ticks.length < 2) continue;
      const labels = timeTicks(ticks);
      expect(new Set(labels).size, labels.join(" ")).toBe(ticks.length);
    }
  });

  it("measure labels by their longest line", () => {
    expect(labelWidth(["1", "22\n4444", null])).toBe(Math.ceil(4 * 7.2) + 14);
  });
});
