import { describe, expect, it } from "vitest";
import { foldUnchanged, lineDiff, splitLines } from "./linediff";

const ops = (a: string, b: string) => lineDiff(a, b).map((l) => `${l.op === "same" ? " " : l.op === "add" ? "+" : "-"}${l.text}`);

describe("lineDiff", () => {
  it("marks added, removed and kept lines with their numbers", () => {
    expect(ops("a\nb\nc", "a\nB\nc\nd")).toEqual([" a", "-b", "+B", " c", "+d"]);
    const d = lineDiff("x\ny", "y");
    expect(d).toEqual([
      { op: "del", text: "x", a: 1, b: null },
      { op: "same", text: "y", a: 2, b: 1 },
    ]);
  });

  it("handles empty sides and a trailing newline", () => {
    expect(ops("", "a\nb")).toEqual(["+a", "+b"]);
    expect(ops("a\n", "")).toEqual(["-a"]);
    expect(ops("a\n", "a")).toEqual([" a"]);
    expect(splitLines("a\r\nb\n")).toEqual(["a", "b"]);
  });

  it("finds the longest common run in the middle", () => {
    expect(ops("h\n1\n2\n3\nt", "h\n0\n1\n2\nt")).toEqual([" h", "+0", " 1", " 2", "-3", " t"]);
  });

  it("stays correct past the table limit", () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`).join("\n");
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`).join("\n");
    const d = lineDiff(`top\n${a}\nend`, `top\n${b}\nend`);
    expect(d.length).toBe(6002);
    expect(d.filter((l) => l.op === "del").length).toBe(3000);
    expect(d[0].op).toBe("same");
    expect(d[d.length - 1]).toEqual({ op: "same", text: "end", a: 3002, b: 3002 });
  });
});

describe("foldUnchanged", () => {
  const same = (x: string) => x === "=";
  const shape = (xs: string) => foldUnchanged([...xs], same).map((s) => `${s.kind === "folded" ? "[" : ""}${s.items.join("")}${s.kind === "folded" ? "]" : ""}@${s.start}`);

  it("folds long unchanged runs, keeping one of context beside each change", () => {
    expect(shape("=====x==x=====")).toEqual(["[====]@0", "=x==x=@4", "[====]@10"]);
    expect(shape("x======x")).toEqual(["x=@0", "[====]@2", "=x@6"]);
  });

  it("leaves short runs and all-changed lists as they are", () => {
    expect(shape("x==x")).toEqual(["x==x@0"]);
    expect(shape("xx")).toEqual(["xx@0"]);
    expect(shape("")).toEqual([]);
    expect(shape("===")).toEqual(["[===]@0"]);
  });
});
