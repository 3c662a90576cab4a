// The state of a table view (runs or models) as URL query parameters, so a link reproduces
// what the user sees. Repeated keys carry lists, so a path may hold any character:
//   c=sys/id&c=params/lr          columns in order
//   w=140:params/lr               a column's width in px (the width first: paths may hold ':')
//   sort=metrics/acc&asc=1        sort column and direction (descending when asc is absent)
//   q=<NQL>                       the filter box's text
//   tag=best&state=running&owner=alice   quick filters, combined with q by AND
//   trashed=1                     show the trash
//   view=baseline                 the saved view last loaded
//   g=params/lr&g=sys/tags        group the rows by these fields, in order
//   ga=max                        the aggregate the group rows show (mean when absent)
// Values equal to the defaults are left out, so a plain link stays short.

export interface TableViewState {
  columns: string[];
  widths: Record<string, number>;
  sort: string;
  ascending: boolean;
  filter: string;
  tag: string;
  state: string;
  owner: string;
  trashed: boolean;
  view: string;
  groups: string[];
  groupAggregate: string;
}

export const DEFAULT_RUN_COLUMNS = ["sys/id", "sys/name", "sys/state", "sys/owner", "sys/creation_time", "sys/tags"];
export const DEFAULT_MODEL_COLUMNS = ["sys/id", "sys/name", "sys/owner", "sys/creation_time", "sys/modification_time"];
export const DEFAULT_SORT = "sys/creation_time";
export const MIN_WIDTH = 40;
export const MAX_WIDTH = 2000;

export function defaultState(columns: string[] = DEFAULT_RUN_COLUMNS): TableViewState {
  return {
    columns: [...columns],
    widths: {},
    sort: DEFAULT_SORT,
    ascending: false,
    filter: "",
    tag: "",
    state: "",
    owner: "",
    trashed: false,
    view: "",
    groups: [],
    groupAggregate: "mean",
  };
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The state from a query; anything absent or malformed takes its default. */
export function decodeState(query: URLSearchParams, defaultColumns: string[] = DEFAULT_RUN_COLUMNS): TableViewState {
  const s = defaultState(defaultColumns);
  const cols = query.getAll("c").filter((c) => c !== "");
  if (cols.length) s.columns = Array.from(new Set(cols));
  for (const w of query.getAll("w")) {
    const i = w.indexOf(":");
    if (i <= 0) continue;
    const width = Number(w.slice(0, i));
    const path = w.slice(i + 1);
    if (Number.isFinite(width) && path) s.widths[path] = clampWidth(width);
  }
  s.sort = query.get("sort") || DEFAULT_SORT;
  s.ascending = query.get("asc") === "1";
  s.filter = query.get("q") ?? "";
  s.tag = query.get("tag") ?? "";
  s.state = query.get("state") ?? "";
  s.owner = query.get("owner") ?? "";
  s.trashed = query.get("trashed") === "1";
  s.view = query.get("view") ?? "";
  s.groups = Array.from(new Set(query.getAll("g").filter((g) => g !== ""))).slice(0, 4);
  const ga = query.get("ga");
  if (ga === "min" || ga === "max" || ga === "std") s.groupAggregate = ga;
  return s;
}

/** The query for a state, defaults left out; widths only for shown columns. */
export function encodeState(s: TableViewState, defaultColumns: string[] = DEFAULT_RUN_COLUMNS): URLSearchParams {
  const q = new URLSearchParams();
  if (!sameList(s.columns, defaultColumns)) for (const c of s.columns) q.append("c", c);
  for (const c of s.columns) {
    const w = s.widths[c];
    if (w !== undefined) q.append("w", `${Math.round(w)}:${c}`);
  }
  if (s.sort !== DEFAULT_SORT) q.set("sort", s.sort);
  if (s.ascending) q.set("asc", "1");
  if (s.filter) q.set("q", s.filter);
  if (s.tag) q.set("tag", s.tag);
  if (s.state) q.set("state", s.state);
  if (s.owner) q.set("owner", s.owner);
  if (s.trashed) q.set("trashed", "1");
  if (s.view) q.set("view", s.view);
  for (const g of s.groups ?? []) q.append("g", g);
  if (s.groupAggregate && s.groupAggregate !== "mean") q.set("ga", s.groupAggregate);
  return q;
}

export function clampWidth(w: number): number {
  return Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, Math.round(w)));
}

/** An NQL string literal: double quotes with \" and \\ escaped. */
export function nqlString(text: string): string {
  return '"' + text.replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"';
}

/**
 * The filter sent to the server: the box's text and the quick filters joined with AND, each
 * in parentheses so an OR inside one cannot leak into another. Empty when there is nothing.
 * ``offset`` is where the box's text starts in ``text``, to map an error position back.
 */
export function composeFilter(s: Pick<TableViewState, "filter" | "tag" | "state" | "owner">): {
  text: string;
  offset: number;
} {
  const parts: string[] = [];
  if (s.filter.trim()) parts.push(s.filter);
  if (s.tag) parts.push(`sys/tags CONTAINS ${nqlString(s.tag)}`);
  if (s.state) parts.push(`sys/state = ${s.state === "running" ? "running" : "idle"}`);
  if (s.owner) parts.push(`sys/owner = ${nqlString(s.owner)}`);
  if (parts.length <= 1) return { text: parts[0] ?? "", offset: 0 };
  return { text: parts.map((p) => `(${p})`).join(" AND "), offset: 1 };
}

/** The part of a state a saved view keeps (everything but the view's own name). */
export function viewQuery(s: TableViewState, defaultColumns?: string[]): string {
  return encodeState({ ...s, view: "" }, defaultColumns).toString();
}
