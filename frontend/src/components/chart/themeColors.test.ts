import { afterEach, describe, expect, it } from "vitest";
import { chartColors, withThemeColors } from "./themeColors";

afterEach(() => document.documentElement.removeAttribute("style"));

describe("chart theme colours", () => {
  it("reads the axis and grid colours from the CSS variables, with fallbacks", () => {
    expect(chartColors()).toEqual({ axis: "#6b7385", grid: "rgba(0, 0, 0, 0.07)" });
    document.documentElement.style.setProperty("--chart-axis", "#a3abbb");
    document.documentElement.style.setProperty("--chart-grid", "rgba(255, 255, 255, 0.09)");
    expect(chartColors()).toEqual({ axis: "#a3abbb", grid: "rgba(255, 255, 255, 0.09)" });
  });

  it("colours every axis, keeping the axis's own options", () => {
    const values = () => ["a"];
    const opts = withThemeColors({ width: 1, height: 1, series: [], axes: [{ values }, { size: 60, stroke: "red" }] }, { axis: "A", grid: "G" });
    expect(opts.axes![0]).toMatchObject({ stroke: "A", values, grid: { stroke: "G" }, ticks: { stroke: "G" } });
    expect(opts.axes![1]).toMatchObject({ stroke: "red", size: 60, grid: { stroke: "G" } });
    expect(withThemeColors({ width: 1, height: 1, series: [] }, { axis: "A", grid: "G" }).axes).toHaveLength(2);
  });
});
