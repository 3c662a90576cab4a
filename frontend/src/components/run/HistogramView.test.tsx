// The histogram view in jsdom, points answered by hand: the last step's bars first, the slider
// and the arrow keys move through the steps, a bad point is listed as text, a plain log stays
// a log viewer without an extra request.
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { StringSeriesView } from "./HistogramView";

const HOSTILE = `<img src=x onerror=window.__xss=1>`;
const hist = (values: number[]) => JSON.stringify({ type: "COUNTS", edges: values.map((_, i) => i).concat(values.length), values });
const POINTS = [hist([1, 2]), HOSTILE, hist([5, 6, 7])];

function answer(points: string[]) {
  const fetch = vi.fn(async (url: string) => {
    const q = new URL(String(url), "http://x/").searchParams;
    const offset = Number(q.get("offset"));
    const page = points.slice(offset, offset + Number(q.get("limit")));
    return new Response(JSON.stringify({ steps: page.map((_, i) => offset + i), values: page, timestamps: page.map(() => 0) }), { status: 200 });
  });
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  delete (window as unknown as { __xss?: number }).__xss;
});

const values = () => screen.queryAllByTestId("histogram-bar").map((b) => Number(b.getAttribute("data-value")));

describe("StringSeriesView", () => {
  it("shows the last step's histogram, moves with the slider and the keys, lists bad points", async () => {
    answer(POINTS);
    render(<StringSeriesView uuid="u" path="h" count={3} lastValue={POINTS[2]} />);
    await waitFor(() => expect(values()).toEqual([5, 6, 7]));
    expect(screen.getByTestId("histogram-step").textContent).toBe("step 2 (3 of 3)");
    expect(screen.getByTestId("histogram-type").textContent).toContain("COUNTS");
    expect(screen.getByTestId("histogram-bad").textContent).toContain("1 of the 3 points read are not histograms");
    expect(screen.getByTestId("histogram-bad").textContent).toContain(HOSTILE);
    expect(document.querySelector("img")).toBeNull();

    fireEvent.change(screen.getByTestId("histogram-slider"), { target: { value: "0" } });
    expect(values()).toEqual([1, 2]);
    fireEvent.keyDown(screen.getByTestId("histogram-steps"), { key: "ArrowRight" });
    expect(screen.getByTestId("histogram-step").textContent).toBe("step 1 (2 of 3)");
    expect(screen.getByTestId("histogram-bad-point").textContent).toContain("not a JSON object");
    expect(values()).toEqual([]);
    fireEvent.keyDown(screen.getByTestId("histogram-slider"), { key: "ArrowRight" });
    expect(values()).toEqual([5, 6, 7]);
    fireEvent.keyDown(screen.getByTestId("histogram-steps"), { key: "ArrowRight" });
    expect(screen.getByTestId("histogram-step").textContent).toBe("step 2 (3 of 3)");

    fireEvent.click(screen.getByTestId("histogram-mode-raw"));
    expect(screen.getByTestId("log-viewer")).toBeTruthy();
    expect(window.__xss).toBeUndefined();
  });

  it("keeps a plain log a log viewer, asking for no first points", () => {
    const fetch = answer(["a", "b"]);
    render(<StringSeriesView uuid="u" path="log" count={2} lastValue="b" />);
    expect(screen.getByTestId("log-viewer")).toBeTruthy();
    expect(screen.queryByTestId("histogram-view")).toBeNull();
    expect(fetch.mock.calls.every(([url]) => !String(url).includes("limit=50"))).toBe(true);
  });

  it("reads the first points when the last one looks like JSON but is bad", async () => {
    answer([POINTS[0], POINTS[2], "{oops"]);
    render(<StringSeriesView uuid="u" path="h" count={3} lastValue="{oops" />);
    await screen.findByTestId("histogram-view");
    await waitFor(() => expect(screen.getByTestId("histogram-bad-point").textContent).toContain("not valid JSON"));
  });
});

declare global {
  interface Window {
    __xss?: number;
  }
}
