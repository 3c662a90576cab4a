// The table hook's live polling against a fake server whose values change: it asks for the
// window on screen only, marks the cells that changed and the new rows, and follows a new total.
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useTableRows } from "./useTableRows";

let total = 500;
let round = 0;
let bodies: { offset: number; limit: number }[] = [];

beforeEach(() => {
  total = 500;
  round = 0;
  bodies = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (_url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body));
      bodies.push(body);
      const rows = [];
      // a new run N-<total> on top once total grows; row 3's value changes every round
      const extra = total - 500;
      for (let i = body.offset; i < Math.min(total, body.offset + body.limit); i++) {
        const k = i - extra;
        if (k < 0) rows.push([`N-${i}`, 0]);
        else rows.push([`R-${k}`, k === 3 ? round : k]);
      }
      return new Response(JSON.stringify({ columns: ["sys/id", "m"], types: { m: "float" }, rows, total }), { status: 200 });
    }),
  );
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const project = { workspace: "ws", name: "p" };
const request = { columns: ["m"] };

describe("useTableRows live", () => {
  it("polls the window only and marks what changed", async () => {
    const { result } = renderHook(() => useTableRows(project, "run", request, 30));
    await waitFor(() => expect(result.current.total).toBe(500));
    act(() => result.current.ensure(0, 20));
    const before = bodies.length;
    round = 1;
    await waitFor(() => expect(result.current.get(3)?.m).toBe(1));
    const polls = bodies.slice(before).filter((b) => b.limit === 20);
    expect(polls.length).toBeGreaterThan(0);
    expect(polls.every((b) => b.offset === 0)).toBe(true);
    const row3 = result.current.get(3)!;
    expect(result.current.changed(row3, "m")).toBeGreaterThan(0);
    expect(result.current.changed(result.current.get(4)!, "m")).toBe(0);
  });

  it("brings new rows in when the total grows, marked", async () => {
    const { result } = renderHook(() => useTableRows(project, "run", request, 30));
    await waitFor(() => expect(result.current.total).toBe(500));
    act(() => result.current.ensure(0, 20));
    total = 501;
    await waitFor(() => expect(result.current.total).toBe(501));
    await waitFor(() => expect(result.current.get(0)?.["sys/id"]).toBe("N-0"));
    expect(result.current.get(1)?.["sys/id"]).toBe("R-0");
    expect(result.current.get(199)?.["sys/id"]).toBe("R-198"); // the window's page fetched anew
    expect(result.current.changed(result.current.get(0)!, "m")).toBeGreaterThan(0);
  });

  it("does not poll when not live", async () => {
    const { result } = renderHook(() => useTableRows(project, "run", request, 0));
    await waitFor(() => expect(result.current.total).toBe(500));
    const n = bodies.length;
    await new Promise((r) => setTimeout(r, 120));
    expect(bodies.length).toBe(n);
  });
});
