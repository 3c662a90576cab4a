// The exported report with hostile strings everywhere a user can type: nothing in the file
// becomes live markup (no script, no event handler, no javascript: link), and the strings
// are still there as text.
import { describe, expect, it } from "vitest";
import type { Report, Widget } from "../../api/dashboards";
import type { WidgetData } from "./data";
import { markdownHtml, reportFilename, reportHtml } from "./exportHtml";
import { toSvgText, h } from "./svg";

const EVIL = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">"'&`;
const PNG = "data:image/png;base64,iVBORw0KGgo=";

const base = { title: EVIL, x: 0, y: 0, w: 6, h: 4 };
const widgets: Widget[] = [
  { ...base, id: "a", type: "line", query: EVIL, group: null, series: [EVIL], xaxis: "step" },
  { ...base, id: "b", type: "scatter", query: "", x_field: EVIL, y_field: EVIL },
  { ...base, id: "c", type: "parallel", query: "", fields: [EVIL, "p/b"] },
  { ...base, id: "d", type: "images", query: "", field: EVIL, step: null },
  { ...base, id: "e", type: "table", query: "", columns: [EVIL], sort: null, limit: 10 },
  { ...base, id: "f", type: "value", query: "", field: EVIL, aggregate: "mean" },
  {
    ...base,
    id: "g",
    type: "markdown",
    text: `# ${EVIL}\n\n[click](javascript:window.__xss=3) <b onmouseover=alert(1)>x</b>\n\n![i](javascript:alert(1))\n\n| ${EVIL} |\n|---|\n| ${EVIL} |`,
  },
];
const data: Record<string, WidgetData> = {
  a: { type: "line", xaxis: "step", traces: [{ label: EVIL, path: EVIL, x: [0, 1], y: [1, 2], low: [0, 1], high: [2, 3] }] },
  b: { type: "scatter", x_field: EVIL, y_field: EVIL, points: [{ id: EVIL, x: 1, y: 2 }] },
  c: { type: "parallel", fields: [EVIL, "p/b"], rows: [{ id: EVIL, values: [1, 2] }] },
  d: {
    type: "images",
    field: EVIL,
    images: [
      { id: EVIL, step: 3, src: PNG, note: "" },
      { id: "r2", step: null, src: `javascript:window.__xss=4`, note: EVIL },
      { id: "r3", step: null, src: `data:text/html;base64,PHNjcmlwdD4=`, note: "" },
    ],
  },
  e: { type: "table", columns: [EVIL], rows: [[EVIL]], total: 1 },
  f: { type: "value", field: EVIL, aggregate: EVIL, value: 1.5, count: 2 },
  g: { type: "markdown", text: widgets[6].type === "markdown" ? widgets[6].text : "" },
};
const report: Report = { id: 1, title: EVIL, dashboard_id: null, layout: { columns: 12, widgets }, data, runs: ["R-1"], created: 0, created_by: EVIL };

function parse(html: string): Document {
  return new DOMParser().parseFromString(html, "text/html");
}

function assertInert(doc: Document) {
  expect(doc.querySelectorAll("script, iframe, object, embed, foreignObject, base, link").length).toBe(0);
  for (const el of Array.from(doc.querySelectorAll("*"))) {
    for (const a of Array.from(el.attributes)) {
      expect(a.name.toLowerCase().startsWith("on"), `${el.tagName} ${a.name}`).toBe(false);
      if (a.name === "href" || a.name === "src") expect(a.value).toMatch(/^(https?:|mailto:|data:image\/(png|jpeg|gif|webp);base64,)/);
    }
  }
}

describe("report export", () => {
  it("writes every hostile string as text, never as markup", () => {
    const html = reportHtml(report);
    const doc = parse(html);
    assertInert(doc);
    expect(doc.title).toBe(EVIL);
    expect(doc.querySelector("h1")?.textContent).toBe(EVIL);
    expect(doc.querySelectorAll("section.widget").length).toBe(7);
    for (const s of Array.from(doc.querySelectorAll("section.widget h2"))) expect(s.textContent).toBe(EVIL);
    const text = doc.body.textContent ?? "";
    expect(text).toContain(EVIL); // the table cell, the value's field, …
    expect(doc.querySelector("section[data-type=table] td")?.textContent).toBe(EVIL);
  });

  it("keeps only raster data: URLs as images", () => {
    const doc = parse(reportHtml(report));
    const imgs = Array.from(doc.querySelectorAll("section[data-type=images] img"));
    expect(imgs.map((i) => i.getAttribute("src"))).toEqual([PNG]);
    expect(doc.querySelector("section[data-type=images]")?.textContent).toContain(EVIL); // the note of r2
  });

  it("draws the charts as inline SVG with their labels escaped", () => {
    const doc = parse(reportHtml(report));
    for (const t of ["line", "scatter", "parallel"]) expect(doc.querySelector(`section[data-type=${t}] svg`), t).not.toBeNull();
    expect(doc.querySelector("section[data-type=line] svg title")?.textContent).toContain(EVIL);
    expect(doc.querySelector("section[data-type=parallel] svg title")?.textContent).toBe(EVIL);
  });

  it("renders Markdown safely: no raw HTML, no javascript: links", () => {
    const doc = parse(markdownHtml(String((data.g as { text: string }).text)));
    assertInert(doc);
    expect(doc.querySelector("h1")?.textContent).toBe(EVIL);
    expect(doc.querySelectorAll("a").length).toBe(0);
    expect(doc.querySelector("b")).toBeNull();
    expect(doc.body.textContent).toContain("<b onmouseover=alert(1)>");
    expect(doc.querySelector("th")?.textContent).toBe(EVIL);
    const link = parse(markdownHtml("[ok](https://example.com/?a=\"b\")")).querySelector("a");
    expect(link?.getAttribute("href")).toBe('https://example.com/?a="b"');
  });

  it("forbids scripts by its policy and needs nothing from outside", () => {
    const html = reportHtml(report);
    const csp = parse(html).querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute("content") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("script-src");
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/i);
  });

  it("drops unknown tags and event attributes from a chart tree", () => {
    const svg = toSvgText(h("svg", { onload: "x()", width: 1 }, h("script", {}, "x()"), h("text", { dataLabel: '"><x' }, EVIL)));
    expect(svg).not.toMatch(/onload|<script|<x/);
    expect(parse(svg).querySelector("text")?.textContent).toBe(EVIL);
  });

  it("names the file after the title, safely", () => {
    expect(reportFilename(EVIL)).toMatch(/^[A-Za-z0-9._-]+\.html$/);
    expect(reportFilename("Sweep 3: results")).toBe("Sweep_3_results.html");
    expect(reportFilename("../..")).toBe("report.html");
  });
});
