// The rendered notebook in jsdom: code, Markdown and outputs shown, and nothing a hostile
// notebook carries becomes live markup: no <script>, no event handler, HTML only in an
// empty-sandbox frame, images only data: URLs of image types.
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { parseNotebook } from "../../lib/notebook/notebook";
import { NotebookView } from "./NotebookView";
import { CellDiffView } from "./CellDiffView";

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
const SCRIPT = "<script>window.__xss=1</script>";
const IMG = "<img src=x onerror=window.__xss=1>";

const hostile = {
  nbformat: 4,
  metadata: { kernelspec: { name: "python3", display_name: "Python 3" } },
  cells: [
    { cell_type: "markdown", source: [`# Report ${SCRIPT}\n`, `${IMG} **bold** [bad](javascript:window.__xss=1) ![a](attachment:p.png)`], attachments: { "p.png": { "image/png": PNG } } },
    {
      cell_type: "code",
      execution_count: 7,
      source: `print("${SCRIPT}")`,
      outputs: [
        { output_type: "stream", name: "stdout", text: `${SCRIPT}\n` },
        { output_type: "display_data", data: { "image/png": PNG, "text/plain": "<Figure>" }, metadata: {} },
        { output_type: "execute_result", execution_count: 7, data: { "text/html": `<b>html</b>${SCRIPT}${IMG}`, "text/plain": "x" }, metadata: {} },
        { output_type: "display_data", data: { "image/svg+xml": `<svg xmlns="http://www.w3.org/2000/svg" onload="window.__xss=1"/>` }, metadata: {} },
        { output_type: "error", ename: "ValueError", evalue: "bad", traceback: ["\u001b[0;31mValueError\u001b[0m: bad"] },
      ],
    },
  ],
};

afterEach(() => {
  cleanup();
  delete (window as unknown as { __xss?: number }).__xss;
});

describe("NotebookView", () => {
  it("renders code, counts, Markdown and every output kind", () => {
    render(<NotebookView notebook={parseNotebook(JSON.stringify(hostile))} />);
    expect(screen.getAllByTestId("nb-cell").map((c) => c.getAttribute("data-cell-type"))).toEqual(["markdown", "code"]);
    expect(screen.getByTestId("nb-count").textContent).toBe("[7]:");
    expect(screen.getByTestId("nb-source").textContent).toBe(`print("${SCRIPT}")`);
    expect(screen.getByText("bold").tagName).toBe("STRONG");
    expect(screen.getByTestId("nb-stream").textContent).toBe(`${SCRIPT}\n`);
    expect(screen.getByTestId("nb-error").textContent).toBe("ValueError: bad");
    const images = screen.getAllByTestId("nb-image");
    expect(images.map((i) => i.getAttribute("data-mime"))).toEqual(["image/png", "image/svg+xml"]);
    expect(images[0].getAttribute("src")).toBe(`data:image/png;base64,${PNG}`);
    expect(images[1].getAttribute("src")).toMatch(/^data:image\/svg\+xml;base64,/);
  });

  it("lets no markup of the notebook live", () => {
    const { container } = render(<NotebookView notebook={parseNotebook(JSON.stringify(hostile))} />);
    expect(container.querySelector("script")).toBeNull();
    for (const el of container.querySelectorAll("*"))
      for (const attr of el.getAttributeNames()) expect(attr.startsWith("on"), `${el.tagName} ${attr}`).toBe(false);
    for (const img of container.querySelectorAll("img")) expect(img.getAttribute("src")).toMatch(/^data:image\/(png|jpeg|svg\+xml);base64,/);
    for (const a of container.querySelectorAll("a")) expect(a.getAttribute("href")).not.toMatch(/javascript/i);
    expect(screen.getByText((t) => t.includes(IMG))).toBeTruthy();
    const frame = screen.getByTestId("nb-html-output");
    expect(frame.tagName).toBe("IFRAME");
    expect(frame.getAttribute("sandbox")).toBe("");
    expect(frame.getAttribute("srcdoc")).toContain("<b>html</b>");
    fireEvent.click(screen.getByTestId("html-source-toggle"));
    expect(screen.queryByTestId("nb-html-output")).toBeNull();
    expect(screen.getByText((t) => t.startsWith("<b>html</b>"))).toBeTruthy();
    expect((window as unknown as { __xss?: number }).__xss).toBeUndefined();
  });
});

describe("CellDiffView", () => {
  it("marks the status and the changed lines", () => {
    render(<CellDiffView cell={{ status: "changed", a_index: 1, b_index: 2, cell_type: "code", source_a: "x = 1\ny = 2", source_b: "x = 1\ny = 3", outputs_changed: true }} />);
    const cell = screen.getByTestId("nbd-cell");
    expect(cell.className).toContain("nbd-changed");
    expect(screen.getByTestId("nbd-where").textContent).toBe("cell 2 → 3");
    const ops = [...cell.querySelectorAll(".nbd-line")].map((l) => l.getAttribute("data-op"));
    expect(ops).toEqual(["same", "del", "add"]);
    expect(screen.getByTestId("nbd-outputs-changed")).toBeTruthy();
  });
});
