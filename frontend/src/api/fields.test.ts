import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "./client";
import { searchPoints } from "./fields";

afterEach(() => vi.unstubAllGlobals());

function stubFetch(status: number, body: unknown) {
  const fetch = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

describe("searchPoints", () => {
  it("asks the search route for a page of matches, the text encoded as a query parameter", async () => {
    const answer = { indexes: [4], steps: [4], values: ["50% done"], timestamps: [1], total: 7 };
    const fetch = stubFetch(200, answer);
    const got = await searchPoints("u-1", "monitoring/std out", "50% & done?", 1000, 1000);
    expect(got).toEqual(answer);
    const url = new URL(String(fetch.mock.calls[0][0]), "http://app/");
    expect(url.pathname).toBe("/api/v1/containers/u-1/search/monitoring/std%20out");
    expect(url.searchParams.get("text")).toBe("50% & done?");
    expect(url.searchParams.get("offset")).toBe("1000");
    expect(url.searchParams.get("limit")).toBe("1000");
  });

  it("gives the server's refusal as an ApiError with its message", async () => {
    stubFetch(400, { detail: "text must be 1 to 1000 characters long" });
    const e = await searchPoints("u", "log", "", 0, 10).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).message).toBe("text must be 1 to 1000 characters long");
  });
});
