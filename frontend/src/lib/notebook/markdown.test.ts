import { describe, expect, it } from "vitest";
import { parseInline, parseMarkdown, safeHref, type Block } from "./markdown";

const text = (s: string) => ({ t: "text", text: s });

describe("parseMarkdown blocks", () => {
  it("reads headings, paragraphs, rules and fenced code", () => {
    const blocks = parseMarkdown("# Title\n\nsome *text*\nmore\n\n---\n\n```python\nx = 1\n\ny = 2\n```\nafter");
    expect(blocks.map((b) => b.t)).toEqual(["heading", "para", "hr", "code", "para"]);
    expect(blocks[0]).toEqual({ t: "heading", level: 1, children: [text("Title")] });
    expect(blocks[1]).toEqual({ t: "para", children: [text("some "), { t: "em", children: [text("text")] }, text(" more")] });
    expect(blocks[3]).toEqual({ t: "code", lang: "python", text: "x = 1\n\ny = 2" });
  });

  it("reads setext headings, quotes and indented code", () => {
    const blocks = parseMarkdown("Big\n===\nSmall\n---\n> quoted\n> **more**\n\n    code line\n    two");
    expect(blocks.map((b) => b.t)).toEqual(["heading", "heading", "quote", "code"]);
    expect((blocks[1] as { level: number }).level).toBe(2);
    expect((blocks[2] as { blocks: Block[] }).blocks[0].t).toBe("para");
    expect(blocks[3]).toEqual({ t: "code", lang: "", text: "code line\ntwo" });
  });

  it("reads lists, ordered with their start, and nested lists", () => {
    const [list] = parseMarkdown("3. three\n4. four\n   - nested\n   - again\n5. five") as Extract<Block, { t: "list" }>[];
    expect(list.ordered).toBe(true);
    expect(list.start).toBe(3);
    expect(list.items.length).toBe(3);
    expect(list.items[1].map((b) => b.t)).toEqual(["para", "list"]);
    const [bullets] = parseMarkdown("- a\n- b\n\n- c") as Extract<Block, { t: "list" }>[];
    expect(bullets.items.length).toBe(3);
  });

  it("reads pipe tables with alignment", () => {
    const [table] = parseMarkdown("| a | b |\n|:--|--:|\n| 1 | `x\\|y` |\n| 2 |") as Extract<Block, { t: "table" }>[];
    expect(table.t).toBe("table");
    expect(table.align).toEqual(["left", "right"]);
    expect(table.header).toEqual([[text("a")], [text("b")]]);
    expect(table.rows[0][1]).toEqual([{ t: "code", text: "x|y" }]);
    expect(table.rows[1][1]).toEqual([]);
  });

  it("keeps raw HTML as text", () => {
    const blocks = parseMarkdown("<script>window.__xss=1</script>\n<img src=x onerror=alert(1)>");
    expect(blocks).toEqual([{ t: "para", children: [text("<script>window.__xss=1</script> <img src=x onerror=alert(1)>")] }]);
  });

  it("survives deep nesting without recursing forever", () => {
    expect(() => parseMarkdown(">".repeat(5000) + " x")).not.toThrow();
    expect(() => parseInline("[".repeat(3000) + "x" + "](#)".repeat(3000))).not.toThrow();
    expect(() => parseInline("*".repeat(10000))).not.toThrow();
  });
});

describe("parseInline", () => {
  it("reads code, strong, emphasis and escapes", () => {
    expect(parseInline("`a*b*` **b** __c__ ***d*** \\*e\\*")).toEqual([
      { t: "code", text: "a*b*" },
      text(" "),
      { t: "strong", children: [text("b")] },
      text(" "),
      { t: "strong", children: [text("c")] },
      text(" "),
      { t: "strong", children: [{ t: "em", children: [text("d")] }] },
      text(" *e*"),
    ]);
  });

  it("leaves snake_case words and lone stars alone", () => {
    expect(parseInline("my_var_name and 2 * 3 * 4")).toEqual([text("my_var_name and 2 * 3 * 4")]);
  });

  it("links only safe URLs; javascript: links become their text", () => {
    expect(parseInline("[docs](https://x.org/a_(b) 'title')")).toEqual([{ t: "link", href: "https://x.org/a_(b)", children: [text("docs")] }]);
    expect(parseInline("[click](javascript:alert(1))")).toEqual([text("click")]);
    expect(parseInline("<https://x.org>")).toEqual([{ t: "link", href: "https://x.org", children: [text("https://x.org")] }]);
    expect(safeHref(" JavaScript:alert(1)")).toBeNull();
    expect(safeHref("data:text/html,x")).toBeNull();
    expect(safeHref("#section")).toBe("#section");
  });

  it("shows images only through the resolver", () => {
    expect(parseInline("![remote](https://x.org/a.png)")).toEqual([{ t: "image", src: null, alt: "remote" }]);
    expect(parseInline("![d](data:image/png;base64,AAAA)")).toEqual([{ t: "image", src: "data:image/png;base64,AAAA", alt: "d" }]);
    expect(parseInline("![s](data:image/svg+xml;base64,AAAA)")).toEqual([{ t: "image", src: null, alt: "s" }]);
    const resolve = (src: string) => (src === "attachment:a.png" ? "data:image/png;base64,QQ==" : null);
    expect(parseInline("![a](attachment:a.png)", resolve)).toEqual([{ t: "image", src: "data:image/png;base64,QQ==", alt: "a" }]);
  });

  it("breaks lines on two trailing spaces or a backslash", () => {
    expect(parseInline("a  \nb\\\nc\nd")).toEqual([text("a"), { t: "br" }, text("b"), { t: "br" }, text("c d")]);
  });
});
