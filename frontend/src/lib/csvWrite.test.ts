import { describe, expect, it } from "vitest";
import { csvField, csvText, parseCsv, tableCsv } from "./csv";

describe("csvText", () => {
  it("writes numbers in full precision and keeps negative numbers numbers", () => {
    expect(csvText(0.1 + 0.2)).toBe("0.30000000000000004");
    expect(csvText(-0.5, "float")).toBe("-0.5");
    expect(csvText(1e-9)).toBe("1e-9");
    expect(csvText("NaN", "float")).toBe("NaN");
    expect(csvText("-Infinity", "float_series")).toBe("-Infinity");
  });
  it("writes booleans, nothing and string sets", () => {
    expect(csvText(true)).toBe("true");
    expect(csvText(null)).toBe("");
    expect(csvText(undefined)).toBe("");
    expect(csvText(["a", "b"], "string_set")).toBe("a,b");
  });
  it("defuses strings a spreadsheet would run as a formula", () => {
    for (const s of ["=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]) expect(csvText(s)).toBe("'" + s);
    expect(csvText("-Infinity", "string")).toBe("'-Infinity");
    expect(csvText(["=x", "b"], "string_set")).toBe("'=x,b");
    expect(csvText("a=b")).toBe("a=b");
  });
});

describe("csvField", () => {
  it("quotes what needs it and doubles quotes", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField(" padded")).toBe('" padded"');
  });
});

describe("tableCsv", () => {
  it("round-trips hostile strings through the parser", () => {
    const hostile = ['<script>window.__xss=1</script>', "\"'><img src=x onerror=1>", "a,b\r\nc", '""', "", "x\ty"];
    const rows = hostile.map((h, i) => ({ "sys/id": `R-${i}`, "sys/name": h, "params/lr": i / 3 }));
    const text = tableCsv(["sys/id", "sys/name", "params/lr"], rows, { "params/lr": "float" });
    expect(text.endsWith("\r\n")).toBe(true);
    const parsed = parseCsv(text, 100, ",").rows;
    expect(parsed[0]).toEqual(["sys/id", "sys/name", "params/lr"]);
    expect(parsed.slice(1).map((r) => r[1])).toEqual(hostile);
    expect(parsed.slice(1).map((r) => Number(r[2]))).toEqual(rows.map((r) => r["params/lr"]));
  });
  it("keeps the columns' order and leaves missing values empty", () => {
    const text = tableCsv(["b", "a"], [{ a: 1 }]);
    expect(text).toBe("b,a\r\n,1\r\n");
  });
});
