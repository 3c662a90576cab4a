import { describe, expect, it } from "vitest";
import { formatHash, parseHash } from "./router";

describe("router", () => {
  it("round-trips paths and queries, escaping what needs it", () => {
    const hash = formatHash(["p", "my ws", "a/b", "runs"], { q: '`x`:float > 1 AND name = "<b>"' });
    const loc = parseHash(hash);
    expect(loc.path).toEqual(["p", "my ws", "a/b", "runs"]);
    expect(loc.query.get("q")).toBe('`x`:float > 1 AND name = "<b>"');
  });
  it("reads an empty hash as the root", () => {
    expect(parseHash("").path).toEqual([]);
  });
});
