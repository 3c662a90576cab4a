import { describe, expect, it } from "vitest";
import { parseCsv, sniffDelimiter } from "./csv";

describe("parseCsv", () => {
  it("splits plain rows", () => {
    expect(parseCsv("a,b\n1,2\n").rows).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });
  it("keeps delimiters, doubled quotes and newlines inside quotes", () => {
    const { rows } = parseCsv('name,note\r\n"x, y","say ""hi""\nthere"\r\n');
    expect(rows).toEqual([
      ["name", "note"],
      ["x, y", 'say "hi"\nthere'],
    ]);
  });
  it("keeps empty fields and a last line without newline", () => {
    expect(parseCsv("a,,c\n,2,").rows).toEqual([
      ["a", "", "c"],
      ["", "2", ""],
    ]);
  });
  it("stops at maxRows and says so", () => {
    const t = parseCsv("1\n2\n3\n4\n", 2);
    expect(t.rows).toEqual([["1"], ["2"]]);
    expect(t.truncated).toBe(true);
    expect(parseCsv("1\n2\n", 2).truncated).toBe(false);
  });
  it("treats markup as plain text", () => {
    expect(parseCsv('<script>alert(1)</script>,"<b>"').rows).toEqual([["<script>alert(1)</script>", "<b>"]]);
  });
  it("skips a byte order mark and sniffs tabs and semicolons", () => {
    expect(parseCsv("\ufeffa\tb\n1\t2").rows[0]).toEqual(["a", "b"]);
    expect(sniffDelimiter("a;b;c\n")).toBe(";");
    expect(sniffDelimiter("abc")).toBe(",");
  });
});
