import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "./client";
import { fetchAllRows, queryError } from "./tables";

describe("queryError", () => {
  it("takes the position from the answer's body", () => {
    const e = new ApiError(400, "unexpected '>' (at position 3)\n  a > > 1\n     ^", {
      error: "NQLSyntaxError",
      position: 4,
    });
    expect(queryError(e)).toEqual({ message: "unexpected '>' (at position 3)", position: 4 });
  });
  it("falls back to the message of an older server", () => {
    const e = new ApiError(400, "unexpected '>' (at position 3)\n  a > > 1");
    expect(queryError(e)?.position).toBe(3);
  });
  it("is null for other errors", () => {
    expect(queryError(new ApiError(500, "boom"))).toBeNull();
    expect(queryError(new Error("x"))).toBeNull();
  });
});

describe("fetchAllRows", () => {
  afterEach(() => vi.unstubAllGlobals());
  const serve = (total: number, bodies: Record<string, unknown>[]) =>
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_url: string, init: RequestInit) => {
        const body = JSON.parse(String(init.body));
        bodies.push(body);
        const rows = [];
        for (let i = body.offset; i < Math.min(total, body.offset + body.limit); i++) rows.push([`R-${i}`, i]);
        return new Response(JSON.stringify({ columns: ["sys/id", "n"], types: { n: "int" }, rows, total }), { status: 200 });
      }),
    );

  it("asks page after page until every row is there, with the same request", async () => {
    const bodies: Record<string, unknown>[] = [];
    serve(25, bodies);
    const progress: number[] = [];
    const answer = await fetchAllRows({ workspace: "w", name: "p" }, "run", { filter: "n > 0", sort_by: "n" }, (d) => progress.push(d), undefined, 10);
    expect(answer.rows.map((r) => r.n)).toEqual([...Array(25).keys()]);
    expect(bodies.map((b) => b.offset)).toEqual([0, 10, 20]);
    expect(bodies.every((b) => b.filter === "n > 0" && b.sort_by === "n" && b.limit === 10)).toBe(true);
    expect(progress).toEqual([10, 20, 25]);
    expect(answer.types).toEqual({ n: "int" });
  });

  it("stops after a page that ends exactly at the total", async () => {
    const bodies: Record<string, unknown>[] = [];
    serve(20, bodies);
    const answer = await fetchAllRows({ workspace: "w", name: "p" }, "run", {}, undefined, undefined, 10);
    expect(answer.rows.length).toBe(20);
    expect(bodies.length).toBe(2);
  });
});
