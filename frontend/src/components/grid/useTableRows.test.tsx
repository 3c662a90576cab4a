// The table hook against a fake server: it asks for the page on screen only, with offset
// and limit, and serves rows from its cache afterwards.
import { act, renderHook, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PAGE_SIZE, rowsFromAnswer, useTableRows } from "./useTableRows";

const TOTAL = 100_000;
let bodies: { offset: number; limit: number; filter?: string }[] = [];

beforeEach(() => {
  bodies = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (_url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body));
      bodies.push(body);
      const rows = [];
      for (let i = body.offset; i < Math.min(TOTAL, body.offset + body.limit); i++) rows.push([`R-${i}`, i / 10]);
      return new Response(JSON.stringify({ columns: ["sys/id", "m"], types: { m: "float" }, rows, total: TOTAL }), {
        status: 200,
      });
    }),
  );
});
afterEach(() => vi.unstubAllGlobals());

const project = { workspace: "ws", name: "p" };

describe("useTableRows", () => {
  it("fetches the first page, then only the page scrolled to", async () => {
    const request = { columns: ["m"], sort_by: "m" };
    const { result } = renderHook(() => useTableRows(project, "run", request));
    await waitFor(() => expect(result.current.total).toBe(TOTAL));
    expect(result.current.get(3)).toEqual({ "sys/id": "R-3", m: 0.3 });
    expect(bodies.map((b) => b.offset)).toEqual(expect.arrayContaining([0]));
    const before = bodies.length;
    act(() => result.current.ensure(50_000, 50_030));
    await waitFor(() => expect(result.current.get(50_000)).toBeDefined());
    const asked = bodies.slice(before).map((b) => b.offset);
    expect(asked).toEqual([50_000 - (50_000 % PAGE_SIZE)]);
    expect(bodies[bodies.length - 1].limit).toBe(PAGE_SIZE);
    expect(result.current.get(50_010)?.["sys/id"]).toBe("R-50010");
    // Rows held are not asked for again.
    const n = bodies.length;
    act(() => result.current.ensure(50_001, 50_020));
    await new Promise((r) => setTimeout(r, 80));
    expect(bodies.length).toBe(n);
  });

  it("starts over when the request changes", async () => {
    let request = { columns: ["m"], filter: "a = 1" };
    const { result, rerender } = renderHook(() => useTableRows(project, "run", request));
    await waitFor(() => expect(result.current.total).toBe(TOTAL));
    request = { columns: ["m"], filter: "a = 2" };
    rerender();
    await waitFor(() => expect(bodies.some((b) => b.filter === "a = 2")).toBe(true));
  });

  it("turns answers into rows by column", () => {
    expect(rowsFromAnswer(["sys/id", "x"], [["A", 1], ["B", null]])).toEqual([
      { "sys/id": "A", x: 1 },
      { "sys/id": "B", x: null },
    ]);
  });
});
