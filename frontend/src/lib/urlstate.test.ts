import { describe, expect, it } from "vitest";
import {
  DEFAULT_RUN_COLUMNS,
  composeFilter,
  decodeState,
  defaultState,
  encodeState,
  nqlString,
  viewQuery,
} from "./urlstate";

describe("table view state in the URL", () => {
  it("leaves defaults out", () => {
    expect(encodeState(defaultState()).toString()).toBe("");
    expect(decodeState(new URLSearchParams(""))).toEqual(defaultState());
  });

  it("round-trips every part, with awkward paths", () => {
    const s = {
      ...defaultState(),
      columns: ["sys/id", "params/a:b,c", "metrics/acc & loss", "x/<script>"],
      widths: { "params/a:b,c": 180, "sys/id": 90 },
      sort: "metrics/acc & loss",
      ascending: true,
      filter: '`params/lr`:float < 0.1 AND sys/name = "a&b=c"',
      tag: "best",
      state: "running",
      owner: "alice",
      trashed: true,
      view: "my view",
    };
    const q = encodeState(s);
    const back = decodeState(new URLSearchParams(q.toString()));
    expect(back).toEqual(s);
  });

  it("keeps the column order and drops duplicates", () => {
    const q = new URLSearchParams("c=b&c=a&c=b");
    expect(decodeState(q).columns).toEqual(["b", "a"]);
  });

  it("ignores malformed widths and clamps the rest", () => {
    const q = new URLSearchParams();
    q.append("w", "abc:x");
    q.append("w", "noколон");
    q.append("w", "5:y");
    q.append("w", "99999:z");
    expect(decodeState(q).widths).toEqual({ y: 40, z: 2000 });
  });

  it("writes widths only of shown columns", () => {
    const s = { ...defaultState(), widths: { gone: 100, "sys/id": 120 } };
    expect(encodeState(s).getAll("w")).toEqual(["120:sys/id"]);
  });

  it("a saved view's query leaves the view name out", () => {
    const s = { ...defaultState(), view: "v", filter: "a = 1" };
    expect(viewQuery(s)).toBe("q=a+%3D+1");
    expect(decodeState(new URLSearchParams(viewQuery(s))).filter).toBe("a = 1");
  });

  it("uses the given default columns", () => {
    const cols = ["sys/id", "sys/name"];
    expect(encodeState(defaultState(cols), cols).toString()).toBe("");
    expect(decodeState(new URLSearchParams(""), cols).columns).toEqual(cols);
    expect(encodeState(defaultState(cols)).getAll("c")).toEqual(cols);
    expect(DEFAULT_RUN_COLUMNS[0]).toBe("sys/id");
  });
});

describe("composeFilter", () => {
  const empty = { filter: "", tag: "", state: "", owner: "" };
  it("is empty with nothing set", () => {
    expect(composeFilter(empty)).toEqual({ text: "", offset: 0 });
  });
  it("passes the box's text alone unchanged", () => {
    expect(composeFilter({ ...empty, filter: "a:float > 1 OR b = 2" })).toEqual({
      text: "a:float > 1 OR b = 2",
      offset: 0,
    });
  });
  it("joins the quick filters with AND in parentheses", () => {
    const f = composeFilter({ filter: "a = 1 OR b = 2", tag: 'say "hi"', state: "running", owner: "al\\ice" });
    expect(f.text).toBe(
      '(a = 1 OR b = 2) AND (sys/tags CONTAINS "say \\"hi\\"") AND (sys/state = running) AND (sys/owner = "al\\\\ice")',
    );
    expect(f.offset).toBe(1);
    expect(f.text.slice(f.offset, f.offset + 5)).toBe("a = 1");
  });
  it("escapes string literals", () => {
    expect(nqlString('a"b\\c')).toBe('"a\\"b\\\\c"');
  });
});
