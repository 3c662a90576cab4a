// A tiny element tree for the dashboard's charts: drawn once by pure functions (charts.ts),
// shown by React (components/dashboard/SvgView.tsx) and written as text into an exported
// report (exportHtml.ts). Every string that reaches the text form goes through escapeHtml.

export type Attr = string | number;
export interface El {
  tag: string;
  attrs: Record<string, Attr>;
  children: Child[];
}
export type Child = El | string;

/** Tags a chart may use: anything else is refused when written out. */
const TAGS = new Set(["svg", "g", "line", "polyline", "polygon", "circle", "rect", "text", "title", "path"]);

export function h(tag: string, attrs: Record<string, Attr | null | undefined> = {}, ...children: (Child | null | false | Child[])[]): El {
  const clean: Record<string, Attr> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) clean[k] = v;
  const kids: Child[] = [];
  for (const c of children) {
    if (c === null || c === false) continue;
    if (Array.isArray(c)) kids.push(...c);
    else kids.push(c);
  }
  return { tag, attrs: clean, children: kids };
}

/** Text safe inside an element or a double-quoted attribute. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

/** The React prop name of an attribute -> its SVG name (strokeWidth -> stroke-width). */
export function svgAttrName(name: string): string {
  if (name === "viewBox" || name === "preserveAspectRatio") return name;
  if (name === "className") return "class";
  if (name.startsWith("data")) return name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
  return name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}

const SAFE_ATTR = /^[a-zA-Z][a-zA-Z0-9-]*$/;

/** The tree as SVG text (xmlns added on the root); unknown tags and event attributes dropped. */
export function toSvgText(node: El, root = true): string {
  if (!TAGS.has(node.tag)) return "";
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => [svgAttrName(k), v] as const)
    .filter(([k]) => SAFE_ATTR.test(k) && !k.toLowerCase().startsWith("on") && k !== "href")
    .map(([k, v]) => ` ${k}="${escapeHtml(String(v))}"`)
    .join("");
  const ns = root && node.tag === "svg" ? ' xmlns="http://www.w3.org/2000/svg"' : "";
  const inner = node.children.map((c) => (typeof c === "string" ? escapeHtml(c) : toSvgText(c, false))).join("");
  return `<${node.tag}${ns}${attrs}>${inner}</${node.tag}>`;
}
