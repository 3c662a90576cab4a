import { describe, expect, it } from "vitest";
import { joinText, NotebookError, parseNotebook, parseOutput, selectOutput, svgDataUrl } from "./notebook";

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

describe("parseNotebook", () => {
  it("reads cells, sources as lists of lines, counts, kernel and language", () => {
    const nb = parseNotebook(
      JSON.stringify({
        nbformat: 4,
        metadata: { kernelspec: { name: "python3", display_name: "Python 3" }, language_info: { name: "python" } },
        cells: [
          { cell_type: "markdown", source: ["# Title\n", "text"], metadata: {} },
          { cell_type: "code", source: "x = 1", execution_count: 3, outputs: [{ output_type: "stream", name: "stdout", text: ["a\n", "b"] }] },
          { cell_type: "raw", source: "raw" },
          { cell_type: "weird", source: "dropped" },
          "not a cell",
        ],
      }),
    );
    expect(nb.kernel).toBe("Python 3");
    expect(nb.language).toBe("python");
    expect(nb.cells.map((c) => c.type)).toEqual(["markdown", "code", "raw"]);
    expect(nb.cells[0].source).toBe("# Title\ntext");
    expect(nb.cells[1].executionCount).toBe(3);
    expect(nb.cells[1].outputs).toEqual([{ kind: "stream", name: "stdout", text: "a\nb" }]);
  });

  it("keeps markdown attachments", () => {
    const nb = parseNotebook(JSON.stringify({ cells: [{ cell_type: "markdown", source: "![x](attachment:a.png)", attachments: { "a.png": { "image/png": PNG } } }] }));
    expect(nb.cells[0].attachments["a.png"]["image/png"]).toBe(PNG);
  });

  it("says what is wrong with a file it cannot show", () => {
    expect(() => parseNotebook("{nope")).toThrow(NotebookError);
    expect(() => parseNotebook("[1]")).toThrow(/not an object/);
    expect(() => parseNotebook(JSON.stringify({ nbformat: 3, worksheets: [] }))).toThrow(/nbformat 3/);
  });
});

describe("outputs", () => {
  it("prefers images, then HTML, then markdown, then plain text", () => {
    expect(selectOutput({ "image/png": PNG, "text/plain": "<Figure>" }, { "image/png": { width: 10 } })).toEqual({
      kind: "image",
      mime: "image/png",
      src: `data:image/png;base64,${PNG}`,
      width: 10,
      height: null,
    });
    expect(selectOutput({ "text/html": ["<b>", "x</b>"], "text/plain": "x" })).toEqual({ kind: "html", html: "<b>x</b>" });
    expect(selectOutput({ "text/markdown": "**x**", "text/plain": "x" })).toEqual({ kind: "markdown", text: "**x**" });
    expect(selectOutput({ "text/plain": "\u001b[1m42\u001b[0m" })).toEqual({ kind: "text", text: "42" });
    expect(selectOutput({ "application/x-thing": {} })).toEqual({ kind: "unsupported", mimes: ["application/x-thing"] });
  });

  it("never makes a data URL of anything but clean base64 of an allowed type", () => {
    const bad = selectOutput({ "image/png": 'x" onerror="alert(1)', "text/plain": "fallback" });
    expect(bad).toEqual({ kind: "text", text: "fallback" });
    const wrapped = selectOutput({ "image/jpeg": PNG.slice(0, 20) + "\n" + PNG.slice(20) });
    expect(wrapped.kind === "image" && wrapped.src).toBe(`data:image/jpeg;base64,${PNG}`);
    expect(selectOutput({ "image/gif": PNG }).kind).toBe("unsupported");
  });

  it("encodes SVG as base64 for an <img>, Unicode included", () => {
    const url = svgDataUrl('<svg xmlns="http://www.w3.org/2000/svg"><text>é</text></svg>');
    expect(url.startsWith("data:image/svg+xml;base64,")).toBe(true);
    const bytes = Uint8Array.from(atob(url.split(",")[1]), (c) => c.charCodeAt(0));
    expect(new TextDecoder().decode(bytes)).toContain("<text>é</text>");
  });

  it("reads errors with ANSI stripped, and skips unknown output types", () => {
    const out = parseOutput({ output_type: "error", ename: "ValueError", evalue: "bad", traceback: ["\u001b[0;31mValueError\u001b[0m", "line 2"] });
    expect(out).toEqual({ kind: "error", ename: "ValueError", evalue: "bad", traceback: "ValueError\nline 2" });
    expect(parseOutput({ output_type: "clear_output" })).toBeNull();
    expect(parseOutput(null)).toBeNull();
  });

  it("joins multiline strings", () => {
    expect(joinText(["a", "b", 3])).toBe("ab");
    expect(joinText(undefined)).toBe("");
  });
});
