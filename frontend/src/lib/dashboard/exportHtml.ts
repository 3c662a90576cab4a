// A report as one self-contained HTML file: inline CSS, charts as inline SVG, images as data:
// URLs, Markdown as HTML built from lib/notebook/markdown.ts's tree. Every text is escaped,
// the file has no script and its Content-Security-Policy forbids any (and every fetch).
import type { Report, Widget } from "../../api/dashboards";
import { parseMarkdown, safeHref, type Block, type Inline } from "../notebook/markdown";
import type { WidgetData } from "./data";
import { chartOf, formatAggregate, ROW_PX, safeImageSrc } from "./draw";
import { escapeHtml as esc, toSvgText } from "./svg";

function inlineHtml(nodes: Inline[]): string {
  return nodes
    .map((n) => {
      switch (n.t) {
        case "text":
          return esc(n.text);
        case "code":
          return `<code>${esc(n.text)}</code>`;
        case "strong":
          return `<strong>${inlineHtml(n.children)}</strong>`;
        case "em":
          return `<em>${inlineHtml(n.children)}</em>`;
        case "br":
          return "<br>";
        case "link": {
          const href = safeHref(n.href);
          return href && !href.startsWith("#") ? `<a href="${esc(href)}" rel="noopener noreferrer nofollow">${inlineHtml(n.children)}</a>` : `<span>${inlineHtml(n.children)}</span>`;
        }
        case "image": {
          const src = safeImageSrc(n.src);
          return src ? `<img src="${esc(src)}" alt="${esc(n.alt)}">` : `<span class="muted">[image: ${esc(n.alt)}]</span>`;
        }
      }
      return "";
    })
    .join("");
}

const ALIGN = new Set(["left", "center", "right"]);
const cellStyle = (a: string | null | undefined) => (a && ALIGN.has(a) ? ` style="text-align:${a}"` : "");

export function markdownHtml(text: string): string {
  const blocks = (nodes: Block[]): string =>
    nodes
      .map((b) => {
        switch (b.t) {
          case "heading": {
            const level = Math.min(6, Math.max(1, Math.floor(b.level)));
            return `<h${level}>${inlineHtml(b.children)}</h${level}>`;
          }
          case "para":
            return `<p>${inlineHtml(b.children)}</p>`;
          case "code":
            return `<pre>${esc(b.text)}</pre>`;
          case "quote":
            return `<blockquote>${blocks(b.blocks)}</blockquote>`;
          case "hr":
            return "<hr>";
          case "list": {
            const items = b.items.map((item) => `<li>${item.length === 1 && item[0].t === "para" ? inlineHtml(item[0].children) : blocks(item)}</li>`).join("");
            return b.ordered ? `<ol start="${Math.floor(Number(b.start)) || 1}">${items}</ol>` : `<ul>${items}</ul>`;
          }
          case "table": {
            const head = b.header.map((c, k) => `<th${cellStyle(b.align[k])}>${inlineHtml(c)}</th>`).join("");
            const rows = b.rows.map((r) => `<tr>${r.map((c, k) => `<td${cellStyle(b.align[k])}>${inlineHtml(c)}</td>`).join("")}</tr>`).join("");
            return `<table class="md"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
          }
        }
        return "";
      })
      .join("");
  return `<div class="markdown">${blocks(parseMarkdown(text))}</div>`;
}

/** The body of one widget from its frozen data (no data: a note saying so). */
export function widgetBodyHtml(w: Widget, data: WidgetData | undefined): string {
  if (!data || data.type !== w.type) return `<p class="muted">No data was frozen for this widget.</p>`;
  const chart = chartOf(w, data);
  if (chart) return toSvgText(chart);
  switch (data.type) {
    case "markdown":
      return markdownHtml(String(data.text));
    case "value":
      return `<div class="value">${esc(formatAggregate(data.value))}</div><div class="muted">${esc(data.aggregate)} of ${esc(data.field)} over ${Number(data.count)} runs</div>`;
    case "table": {
      const head = data.columns.map((c) => `<th>${esc(String(c))}</th>`).join("");
      const rows = data.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(String(c))}</td>`).join("")}</tr>`).join("");
      return `<table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
    }
    case "images":
      return `<div class="images">${data.images
        .map((im) => {
          const src = safeImageSrc(im.src);
          const caption = `${esc(String(im.id))}${im.step === null ? "" : ` · step ${Number(im.step)}`}`;
          return `<figure>${src ? `<img src="${esc(src)}" alt="${esc(String(im.id))}">` : `<div class="muted">${esc(String(im.note))}</div>`}<figcaption>${caption}</figcaption></figure>`;
        })
        .join("")}</div>`;
  }
  return "";
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1f2430;background:#fff}
h1{font-size:22px;margin:0 0 4px}
.meta{color:#6b7385;margin-bottom:16px}
.grid{display:grid;grid-template-columns:repeat(12,1fr);grid-auto-rows:${ROW_PX}px;gap:8px}
.widget{border:1px solid #d9dde5;border-radius:6px;padding:6px 8px;overflow:auto;background:#fff}
.widget h2{font-size:14px;margin:0 0 4px}
svg{width:100%;height:auto;display:block}
table{border-collapse:collapse;font-size:12px}
th,td{border-bottom:1px solid #e4e7ec;padding:2px 6px;text-align:left}
.value{font-size:32px;font-weight:600}
.muted{color:#6b7385}
.images{display:flex;flex-wrap:wrap;gap:6px}
.images figure{margin:0;width:120px}
.images img{max-width:120px;max-height:120px}
figcaption{font-size:11px;color:#6b7385;word-break:break-all}
pre{background:#f4f5f7;padding:6px;overflow:auto}
`;

const CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

/** The report as a whole HTML document (no script, nothing fetched). */
export function reportHtml(report: Pick<Report, "title" | "layout" | "data" | "runs" | "created" | "created_by">): string {
  const widgets = report.layout.widgets
    .map((w) => {
      const style = `grid-column:${Math.floor(w.x) + 1} / span ${Math.floor(w.w)};grid-row:${Math.floor(w.y) + 1} / span ${Math.floor(w.h)}`;
      const data = report.data[w.id] as WidgetData | undefined;
      return `<section class="widget" data-type="${esc(w.type)}" style="${esc(style)}"><h2>${esc(w.title)}</h2>${widgetBodyHtml(w, data)}</section>`;
    })
    .join("\n");
  const when = new Date(report.created * 1000).toISOString().replace("T", " ").slice(0, 19);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(report.title)}</title><style>${CSS}</style></head>
<body><h1>${esc(report.title)}</h1>
<div class="meta">frozen ${esc(when)} UTC by ${esc(report.created_by)} · ${report.runs.length} runs</div>
<div class="grid">
${widgets}
</div></body></html>
`;
}

/** A file name for the report: its title's safe characters, .html. */
export function reportFilename(title: string): string {
  const base = title.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+|_+$/g, "").slice(0, 80);
  return `${base || "report"}.html`;
}
