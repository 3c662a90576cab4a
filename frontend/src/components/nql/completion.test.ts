import { describe, expect, it } from "vitest";
import { applySuggestion, complete, nqlType, pathOf, quotePath, tokenize } from "./completion";

const fields = [
  { path: "params/lr", type: "float" },
  { path: "params/optimizer", type: "string" },
  { path: "train/loss", type: "float_series" },
  { path: "data/sample", type: "file" },
  { path: "weird/a`b", type: "int" },
];

const labels = (text: string, cursor = text.length, values: (p: string) => string[] = () => []) =>
  complete(text, cursor, fields, values).items.map((i) => i.label);

describe("tokenize", () => {
  it("splits a query into typed tokens with positions", () => {
    const t = tokenize('`params/lr`:float >= 1e-3 AND sys/tags CONTAINS "a \\" b"');
    expect(t.map((x) => x.kind)).toEqual(["path", "colon", "word", "op", "number", "keyword", "word", "keyword", "string"]);
    expect(t[0]).toMatchObject({ start: 0, end: 11 });
    expect(pathOf(t[0])).toBe("params/lr");
    expect(t[8].text).toBe('"a \\" b"');
    expect(t[8].open).toBe(false);
  });
  it("marks unterminated quotes", () => {
    const t = tokenize('`params/l');
    expect(t[0]).toMatchObject({ kind: "path", open: true });
    expect(pathOf(t[0])).toBe("params/l");
    expect(tokenize('a = "x')[2].open).toBe(true);
  });
  it("knows keywords in any case and two-character operators", () => {
    expect(tokenize("a != 1 and not b").map((x) => x.kind)).toEqual(["word", "op", "number", "keyword", "keyword", "word"]);
    expect(tokenize("(a<=-2)").map((x) => x.text)).toEqual(["(", "a", "<=", "-2", ")"]);
  });
});

describe("complete: fields", () => {
  it("offers field paths as `path`:type at the start", () => {
    const c = complete("par", 3, fields);
    expect(c.items.map((i) => i.insert)).toEqual(["`params/lr`:float ", "`params/optimizer`:string "]);
    expect(c.from).toBe(0);
    expect(c.to).toBe(3);
  });
  it("skips types NQL cannot filter and includes the sys fields", () => {
    expect(labels("data")).toEqual([]);
    expect(labels("sys/ta")).toEqual(["sys/tags"]);
    expect(complete("sys/ta", 6, fields).items[0].insert).toBe("`sys/tags`:stringSet ");
  });
  it("offers fields after AND, OR, NOT and an opening parenthesis", () => {
    expect(labels("a = 1 AND trai")).toEqual(["train/loss"]);
    expect(labels("(NOT trai")).toEqual(["train/loss"]);
    expect(labels("a = 1 OR (params/l")).toEqual(["params/lr"]);
  });
  it("completes a back-quoted path being typed and escapes quotes in paths", () => {
    const c = complete("`weird/a", 8, fields);
    expect(c.items.map((i) => i.insert)).toEqual(["`weird/a\\`b`:int "]);
    expect(quotePath("a\\b`c")).toBe("`a\\\\b\\`c`");
  });
  it("offers float series inside an aggregate", () => {
    const c = complete("last(", 5, fields);
    expect(c.items.map((i) => i.insert)).toEqual(["`train/loss`)"]);
  });
});

describe("complete: operators and values", () => {
  it("offers the operators of the field's type", () => {
    expect(labels("`params/lr`:float ")).toEqual(["=", "!=", ">", ">=", "<", "<=", "EXISTS"]);
    expect(labels("sys/tags ")).toEqual(["CONTAINS", "MATCHES", "NOT MATCHES", "EXISTS"]);
    expect(labels("params/optimizer CO")).toEqual(["CONTAINS"]);
    expect(labels("sys/state ")).toEqual(["=", "!=", "EXISTS"]);
  });
  it("knows the type of an aggregate and of a field listed untyped", () => {
    expect(labels("train/loss:last ")).toContain(">=");
    expect(labels("max(`train/loss`) ")).toContain("<");
    expect(labels("params/lr ")).not.toContain("CONTAINS");
  });
  it("offers MATCHES after NOT", () => {
    expect(labels("params/optimizer NOT ")).toEqual(["MATCHES"]);
  });
  it("offers types and aggregates after a colon", () => {
    expect(labels("`x`:fl")).toEqual(["float", "floatSeries"]);
    expect(labels("`x`:la")).toEqual(["last"]);
  });
  it("offers values by type, known values quoted", () => {
    expect(labels("sys/state = ")).toEqual(["running", "idle", "active", "inactive"]);
    expect(labels("sys/failed = ")).toEqual(["true", "false"]);
    expect(labels("sys/creation_time > ")).toContain('"-1d"');
    const tags = (p: string) => (p === "sys/tags" ? ["best", 'say "hi"', "base"] : []);
    expect(labels("sys/tags CONTAINS ", undefined, tags)).toEqual(['"best"', '"say \\"hi\\""', '"base"']);
    expect(labels('sys/tags CONTAINS "b', undefined, tags)).toEqual(['"best"', '"base"']);
  });
  it("offers AND / OR after a value, and ) inside parentheses", () => {
    expect(labels("a = 1 ")).toEqual(["AND", "OR"]);
    expect(labels("(a = 1 ")).toEqual(["AND", "OR", ")"]);
    expect(labels('a = "x" o')).toEqual(["OR"]);
    expect(labels("a EXISTS ")).toEqual(["AND", "OR"]);
  });
  it("offers nothing for a word already complete", () => {
    expect(labels("a = 1 AND")).toEqual([]);
  });
});

describe("applySuggestion", () => {
  it("replaces the token being typed and puts the cursor after", () => {
    const text = "a = 1 AND par OR b = 2";
    const c = complete(text, 13, fields);
    const r = applySuggestion(text, c, c.items[0]);
    expect(r.text).toBe("a = 1 AND `params/lr`:float  OR b = 2");
    expect(r.cursor).toBe(28);
  });
  it("maps store types to NQL types", () => {
    expect(nqlType("float_series")).toBe("floatSeries");
    expect(nqlType("run_state")).toBe("experimentState");
    expect(nqlType("file_set")).toBeNull();
  });
});
