import { describe, expect, it } from "vitest";
import { chips, formatBytes, formatDatetime, formatDuration, formatNumber, formatValue, toNumber } from "./format";

describe("formatNumber", () => {
  it("keeps 4 to 6 significant digits", () => {
    expect(formatNumber(0.123456789)).toBe("0.123457");
    expect(formatNumber(12345.6789)).toBe("12345.7");
    expect(formatNumber(1.5)).toBe("1.5");
    expect(formatNumber(0.001)).toBe("0.001");
  });
  it("uses exponents for very small and very large values", () => {
    expect(formatNumber(1.23456e-7)).toBe("1.235e-7");
    expect(formatNumber(2.5e12)).toBe("2.5e+12");
    expect(formatNumber(-3e-9)).toBe("-3e-9");
  });
  it("shows integers whole and the special values by name", () => {
    expect(formatNumber(42)).toBe("42");
    expect(formatNumber(0)).toBe("0");
    expect(formatNumber(NaN)).toBe("NaN");
    expect(formatNumber(Infinity)).toBe("∞");
    expect(formatNumber(-Infinity)).toBe("-∞");
  });
});

describe("toNumber", () => {
  it("reads the JSON API's spellings of NaN and infinities", () => {
    expect(toNumber("NaN")).toBeNaN();
    expect(toNumber("Infinity")).toBe(Infinity);
    expect(toNumber("-Infinity")).toBe(-Infinity);
    expect(toNumber(3)).toBe(3);
    expect(toNumber("abc")).toBeNull();
    expect(toNumber(null)).toBeNull();
  });
});

describe("formatValue", () => {
  it("formats floats and float series as numbers", () => {
    expect(formatValue(0.987654321, "float")).toBe("0.987654");
    expect(formatValue("NaN", "float_series")).toBe("NaN");
    expect(formatValue("-Infinity", "float")).toBe("-∞");
  });
  it("shows datetimes in local time", () => {
    const iso = "2024-05-01T12:34:56+00:00";
    const d = new Date(iso);
    const text = formatValue(iso, "datetime");
    expect(text).toBe(formatDatetime(iso));
    expect(text).toContain(String(d.getMinutes()).padStart(2, "0") + ":56");
    expect(text.startsWith(String(d.getFullYear()))).toBe(true);
  });
  it("joins string sets and gives them as chips", () => {
    expect(formatValue(["a", "b"], "string_set")).toBe("a, b");
    expect(chips(["<script>", "x"])).toEqual(["<script>", "x"]);
    expect(chips(null)).toEqual([]);
  });
  it("keeps strings as they are, markup included", () => {
    expect(formatValue('<img src=x onerror="alert(1)">', "string")).toBe('<img src=x onerror="alert(1)">');
  });
  it("shows missing values as empty and booleans by name", () => {
    expect(formatValue(null, "float")).toBe("");
    expect(formatValue(undefined)).toBe("");
    expect(formatValue(true, "bool")).toBe("true");
    expect(formatValue(7, "int")).toBe("7");
  });
  it("gives sizes and running times units", () => {
    expect(formatValue(1500, "float", "sys/size")).toBe("1.5 kB");
    expect(formatValue(3725, "float", "sys/running_time")).toBe("1h 02m");
    expect(formatBytes(12)).toBe("12 B");
    expect(formatDuration(12.25)).toBe("12.3 s");
    expect(formatDuration(187)).toBe("3m 07s");
  });
});

describe("fieldSummary", () => {
  it("sums up series, files and sets", async () => {
    const { fieldSummary } = await import("./format");
    expect(fieldSummary("float_series", { count: 1200, last_value: 0.123456789 })).toBe("0.123457 (last of 1,200)");
    expect(fieldSummary("float_series", { count: 0, last_value: null })).toBe("no points");
    expect(fieldSummary("string_series", { count: 3, last_value: "<b>done</b>" })).toBe("<b>done</b> (last of 3)");
    expect(fieldSummary("file", { hash: "ab", size: 2_500_000, extension: "png" })).toBe("file, 2.5 MB (.png)");
    expect(fieldSummary("artifact", { hash: "x", files: [{}, {}] })).toBe("2 files");
    expect(fieldSummary("float", 0.5)).toBe("0.5");
    expect(fieldSummary("datetime", null)).toBe("");
  });
});
