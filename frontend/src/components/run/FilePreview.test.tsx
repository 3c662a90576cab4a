// The previews in jsdom with fetch answered by hand: markup in files and names stays text,
// HTML goes only into a frame with an empty sandbox.
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import { FilePreview } from "./FilePreview";
import { DiffTable } from "../compare/DiffTable";
import { ChartLegend } from "../chart/ChartLegend";

const HOSTILE = `<script>window.__xss=1</script>"'><img src=x onerror=window.__xss=1>`;

function answer(body: string) {
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string) => {
      if (String(url).endsWith("/link")) return new Response(JSON.stringify({ url: "api/v1/blobs/x?sig=1" }), { status: 200 });
      return new Response(body, { status: 206, headers: { "Content-Range": `bytes 0-${body.length - 1}/${body.length}` } });
    }),
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  delete (window as unknown as { __xss?: number }).__xss;
});

const file = (extension: string) => ({ hash: "a".repeat(64), size: 10, extension });

describe("FilePreview", () => {
  it("shows HTML only in a sandboxed srcdoc frame", async () => {
    answer(`<h1>report</h1>${HOSTILE}`);
    const { container } = render(<FilePreview file={file("html")} path="data/page" filename={`${HOSTILE}.html`} />);
    const frame = await screen.findByTestId("html-preview");
    expect(frame.getAttribute("sandbox")).toBe("");
    expect(frame.getAttribute("srcdoc")).toContain("<h1>report</h1>");
    expect(container.querySelector("script")).toBeNull();
    expect(container.querySelector("img")).toBeNull();
    expect(screen.getByText(`${HOSTILE}.html`)).toBeTruthy();
    expect((window as unknown as { __xss?: number }).__xss).toBeUndefined();
  });

  it("shows CSV cells and text files as text", async () => {
    answer(`a,b\n1,"${HOSTILE.replace(/"/g, '""')}"\n`);
    const { container, unmount } = render(<FilePreview file={file("csv")} path="t" filename="t.csv" />);
    await screen.findByTestId("csv-preview");
    expect(screen.getByText(HOSTILE)).toBeTruthy();
    expect(container.querySelector("script, img")).toBeNull();
    unmount();
    answer(`hello ${HOSTILE}`);
    render(<FilePreview file={file("txt")} path="r" filename="r.txt" />);
    await waitFor(() => expect(screen.getByTestId("text-preview").textContent).toBe(`hello ${HOSTILE}`));
  });

  it("links the download through a signed link", async () => {
    answer("x");
    render(<FilePreview file={file("bin")} path="w" filename="w.bin" />);
    const a = await screen.findByTestId("file-download");
    expect(a.getAttribute("href")).toBe("api/v1/blobs/x?sig=1");
    expect(a.getAttribute("download")).toBe("w.bin");
  });
});

describe("names as text", () => {
  it("in the compare table and the chart legend", () => {
    const { container } = render(
      <>
        <DiffTable runs={[{ sysId: "R-1", name: HOSTILE }]} rows={[{ path: HOSTILE, values: [HOSTILE], differs: true }]} />
        <ChartLegend
          uuids={["u"]}
          names={{ u: HOSTILE }}
          cols={{ x: [], runs: [], markers: [] }}
          columns={{ data: [[]], bands: [], lines: [] }}
          idx={null}
        />
      </>,
    );
    expect(screen.getAllByText(HOSTILE).length).toBe(4);
    expect(container.querySelector("script, img")).toBeNull();
  });
});
