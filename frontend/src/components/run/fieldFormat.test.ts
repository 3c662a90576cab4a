import { describe, expect, it } from "vitest";
import { downloadName, formatBytes, formatFieldValue, previewKind } from "./fieldFormat";

describe("formatFieldValue", () => {
  it("formats values by type", () => {
    expect(formatFieldValue({ path: "a", type: "float", value: 0.123456789 })).toBe("0.123457");
    expect(formatFieldValue({ path: "a", type: "float", value: "NaN" })).toBe("NaN");
    expect(formatFieldValue({ path: "a", type: "bool", value: false })).toBe("false");
    expect(formatFieldValue({ path: "a", type: "string_set", value: ["a", "b"] })).toBe("a, b");
    expect(formatFieldValue({ path: "a", type: "string", value: "x".repeat(300) }, 10)).toBe("x".repeat(10) + "…");
    expect(formatFieldValue({ path: "a", type: "file", value: { hash: "h", size: 2500, extension: "png" } })).toBe("png file, 2.5 kB");
    const s = { count: 3, last_value: 0.5 };
    expect(formatFieldValue({ path: "a", type: "float_series", value: s })).toBe("0.5 (3 points)");
    expect(formatFieldValue({ path: "a", type: "git_ref", value: { commit_id: "0123456789abc", branch: "main", dirty: true } })).toBe(
      "0123456789 on main (dirty)",
    );
  });
  it("keeps markup as text", () => {
    expect(formatFieldValue({ path: "a", type: "string", value: "<script>x</script>" })).toBe("<script>x</script>");
  });
});

describe("files", () => {
  it("names downloads and picks previews", () => {
    expect(downloadName("source_code/diff", "patch")).toBe("diff.patch");
    expect(downloadName("data/table.csv", "csv")).toBe("table.csv");
    expect(previewKind("PNG")).toBe("image");
    expect(previewKind("html")).toBe("html");
    expect(previewKind("", "a/b/data.csv")).toBe("csv");
    expect(previewKind("patch")).toBe("diff");
    expect(previewKind("bin")).toBe("none");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1_500_000)).toBe("1.5 MB");
  });
});
