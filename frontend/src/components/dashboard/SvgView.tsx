// A chart's element tree (lib/dashboard/svg.ts) as React elements: strings are React text,
// attribute names are the tree's own (data* become data-*), no HTML is ever parsed.
import { createElement, type ReactNode } from "react";
import type { Child, El } from "../../lib/dashboard/svg";

function reactProps(attrs: El["attrs"], key?: number): Record<string, unknown> {
  const props: Record<string, unknown> = key === undefined ? {} : { key };
  for (const [k, v] of Object.entries(attrs)) {
    if (/^on/i.test(k) || k === "href") continue;
    props[k.startsWith("data") ? k.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase()) : k] = v;
  }
  return props;
}

function node(c: Child, key?: number): ReactNode {
  if (typeof c === "string") return c;
  return createElement(c.tag, reactProps(c.attrs, key), ...c.children.map((k, i) => node(k, i)));
}

export function SvgView({ tree }: { tree: El }) {
  return <>{node(tree)}</>;
}
