// NQL in the filter box: a tokeniser (for colouring and for finding where the cursor is) and
// completion of what may come next at the cursor: field paths written as `path`:type,
// operators that the field's type takes, values, and AND / OR. Pure functions; the grammar
// is that of despina/store/nql.py (docs/nql.md).

export type TokenKind = "path" | "word" | "keyword" | "string" | "number" | "op" | "lparen" | "rparen" | "colon" | "other";

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
  /** A back-quoted path or a string still missing its closing quote. */
  open?: boolean;
}

export const KEYWORDS = ["AND", "OR", "NOT", "CONTAINS", "MATCHES", "EXISTS"];
export const TYPES = ["float", "int", "string", "bool", "datetime", "floatSeries", "stringSet", "experimentState"];
export const AGGREGATES = ["last", "min", "max", "average", "variance"];
const ORDERED = ["=", "!=", ">", ">=", "<", "<="];
export const TYPE_OPERATORS: Record<string, string[]> = {
  float: [...ORDERED, "EXISTS"],
  int: [...ORDERED, "EXISTS"],
  string: [...ORDERED, "CONTAINS", "MATCHES", "NOT MATCHES", "EXISTS"],
  bool: ["=", "!=", "EXISTS"],
  datetime: [...ORDERED, "EXISTS"],
  floatSeries: [...ORDERED, "EXISTS"],
  stringSet: ["CONTAINS", "MATCHES", "NOT MATCHES", "EXISTS"],
  experimentState: ["=", "!=", "EXISTS"],
};
const ALL_OPERATORS = [...ORDERED, "CONTAINS", "MATCHES", "NOT MATCHES", "EXISTS"];

/** Types of the sys fields, as the parser knows them (so they need no :type). */
export const SYS_TYPES: Record<string, string> = {
  "sys/id": "string",
  "sys/owner": "string",
  "sys/name": "string",
  "sys/description": "string",
  "sys/custom_run_id": "string",
  "sys/stage": "string",
  "sys/model_id": "string",
  "sys/tags": "stringSet",
  "sys/group_tags": "stringSet",
  "sys/aliases": "stringSet",
  "sys/creation_time": "datetime",
  "sys/modification_time": "datetime",
  "sys/ping_time": "datetime",
  "sys/running_time": "float",
  "sys/monitoring_time": "int",
  "sys/size": "float",
  "sys/state": "experimentState",
  "sys/trashed": "bool",
  "sys/failed": "bool",
};

/** The NQL type for a store field type, or null when NQL cannot filter on it. */
export function nqlType(storeType: string): string | null {
  const map: Record<string, string> = {
    float: "float",
    int: "int",
    string: "string",
    bool: "bool",
    datetime: "datetime",
    float_series: "floatSeries",
    string_set: "stringSet",
    run_state: "experimentState",
  };
  return map[storeType] ?? null;
}

const WORD = /[A-Za-z_][A-Za-z0-9_./-]*/y;
const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/y;

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === "`" || ch === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        if (text[i] === "\\") i += 2;
        else if (text[i] === ch) {
          i++;
          closed = true;
          break;
        } else i++;
      }
      i = Math.min(i, text.length);
      out.push({ kind: ch === "`" ? "path" : "string", text: text.slice(start, i), start, end: i, open: !closed });
      continue;
    }
    if (ch === "(" || ch === ")" || ch === ":") {
      out.push({ kind: ch === "(" ? "lparen" : ch === ")" ? "rparen" : "colon", text: ch, start, end: i + 1 });
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === "!=" || two === ">=" || two === "<=") {
      out.push({ kind: "op", text: two, start, end: i + 2 });
      i += 2;
      continue;
    }
    if (ch === "=" || ch === ">" || ch === "<" || ch === "!") {
      out.push({ kind: ch === "!" ? "other" : "op", text: ch, start, end: i + 1 });
      i++;
      continue;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(text);
    if (num && (/[\d.]/.test(ch) || /[-+]/.test(ch))) {
      i += num[0].length;
      out.push({ kind: "number", text: num[0], start, end: i });
      continue;
    }
    WORD.lastIndex = i;
    const word = WORD.exec(text);
    if (word) {
      i += word[0].length;
      const kind = KEYWORDS.includes(word[0].toUpperCase()) ? "keyword" : "word";
      out.push({ kind, text: word[0], start, end: i });
      continue;
    }
    out.push({ kind: "other", text: ch, start, end: i + 1 });
    i++;
  }
  return out;
}

/** The path a path token names: back-quotes removed and escapes undone. */
export function pathOf(token: Token): string {
  if (token.kind !== "path") return token.text;
  const inner = token.text.slice(1, token.open ? undefined : -1);
  return inner.replace(/\\(.)/g, "$1");
}

/** A path written for NQL: `back-quoted`, with ` and \ escaped. */
export function quotePath(path: string): string {
  return "`" + path.replace(/\\/g, "\\\\").replace(/`/g, "\\`") + "`";
}

export interface FieldChoice {
  path: string;
  type: string; // store type (float_series, string_set...)
}

export interface Suggestion {
  label: string;
  insert: string;
  detail?: string;
  kind: "field" | "operator" | "value" | "keyword" | "type";
}

export interface Completion {
  from: number; // replace text[from, to) with the suggestion's insert
  to: number;
  items: Suggestion[];
}

type Expect =
  | { what: "field" }
  | { what: "typeOrAggregate"; path: string }
  | { what: "operator"; path: string; type: string | null; negated: boolean }
  | { what: "value"; path: string; type: string | null; operator: string }
  | { what: "connective"; depth: number }
  | { what: "aggregateField"; aggregate: string }
  | { what: "aggregateClose"; path: string };

/** What the grammar allows after ``tokens`` (a prefix of the query). */
export function expectation(tokens: Token[], fieldType: (path: string) => string | null): Expect {
  let e: Expect = { what: "field" };
  let depth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    const upper = t.text.toUpperCase();
    switch (e.what) {
      case "field":
        if (t.kind === "lparen") depth++;
        else if (t.kind === "keyword" && upper === "NOT") e = { what: "field" };
        else if (t.kind === "word" && AGGREGATES.includes(t.text.toLowerCase()) && tokens[k + 1]?.kind === "lparen") {
          e = { what: "aggregateField", aggregate: t.text.toLowerCase() };
          k++;
        } else if (t.kind === "path" || t.kind === "word") {
          const path = pathOf(t);
          if (tokens[k + 1]?.kind === "colon") {
            e = { what: "typeOrAggregate", path };
            k++;
          } else e = { what: "operator", path, type: fieldType(path), negated: false };
        }
        break;
      case "aggregateField":
        if (t.kind === "path" || t.kind === "word") {
          e = { what: "aggregateClose", path: pathOf(t) };
          if (tokens[k + 1]?.kind === "colon") k += 2; // `path`:floatSeries
        }
        break;
      case "aggregateClose":
        if (t.kind === "rparen") e = { what: "operator", path: e.path, type: "floatSeries", negated: false };
        break;
      case "typeOrAggregate": {
        const typed = TYPES.find((x) => x.toLowerCase() === t.text.toLowerCase());
        const type = typed ?? (AGGREGATES.includes(t.text.toLowerCase()) ? "floatSeries" : null);
        e = { what: "operator", path: e.path, type, negated: false };
        break;
      }
      case "operator":
        if (t.kind === "keyword" && upper === "NOT") e = { what: "operator", path: e.path, type: e.type, negated: true };
        else if (t.kind === "keyword" && upper === "EXISTS") e = { what: "connective", depth };
        else if (t.kind === "op" || t.kind === "keyword")
          e = { what: "value", path: e.path, type: e.type, operator: e.negated ? `NOT ${upper}` : upper };
        break;
      case "value":
        e = { what: "connective", depth };
        break;
      case "connective":
        if (t.kind === "rparen") depth = Math.max(0, depth - 1);
        else if (t.kind === "keyword" && (upper === "AND" || upper === "OR")) e = { what: "field" };
        break;
    }
    if (e.what === "connective") e = { what: "connective", depth };
  }
  return e;
}

function startsWithCI(text: string, prefix: string): boolean {
  return text.toLowerCase().startsWith(prefix.toLowerCase());
}

const DATE_VALUES = ['"-1h"', '"-1d"', '"-1w"', '"now"'];

/**
 * Suggestions at ``cursor`` in ``text``. ``fields`` is the project's field list;
 * ``valuesFor`` gives known values of a path (tags, owners) to offer after an operator.
 */
export function complete(
  text: string,
  cursor: number,
  fields: readonly FieldChoice[],
  valuesFor: (path: string) => readonly string[] = () => [],
  limit = 50,
): Completion {
  const tokens = tokenize(text.slice(0, cursor));
  // The token the cursor touches is the one being typed: complete it, not what follows it.
  const last = tokens[tokens.length - 1];
  const typing =
    !!last &&
    last.end === cursor &&
    (["word", "keyword", "number", "op", "other"].includes(last.kind) ||
      ((last.kind === "path" || last.kind === "string") && !!last.open));
  const before = typing ? tokens.slice(0, -1) : tokens;
  const prefixToken = typing ? last : null;
  const from = prefixToken ? prefixToken.start : cursor;
  const prefix = prefixToken ? prefixToken.text : "";
  const byPath = new Map(fields.map((f) => [f.path, f.type]));
  const fieldType = (path: string) => SYS_TYPES[path] ?? (byPath.has(path) ? nqlType(byPath.get(path)!) : null);
  const e = expectation(before, fieldType);
  let items: Suggestion[] = [];

  if (e.what === "field" || e.what === "aggregateField") {
    const p = prefixToken?.kind === "path" ? pathOf(prefixToken) : prefix;
    const seen = new Set<string>();
    const choices: FieldChoice[] = [];
    for (const f of fields) {
      seen.add(f.path);
      choices.push(f);
    }
    for (const path of Object.keys(SYS_TYPES)) if (!seen.has(path)) choices.push({ path, type: "" });
    const lower = p.toLowerCase();
    const hits = choices
      .filter((f) => {
        const t = SYS_TYPES[f.path] ?? nqlType(f.type);
        if (!t || (e.what === "aggregateField" && t !== "floatSeries")) return false;
        return f.path.toLowerCase().includes(lower);
      })
      .sort((a, b) => Number(!startsWithCI(a.path, p)) - Number(!startsWithCI(b.path, p)) || (a.path < b.path ? -1 : 1));
    items = hits.slice(0, limit).map((f) => {
      const type = SYS_TYPES[f.path] ?? nqlType(f.type)!;
      const insert = e.what === "aggregateField" ? `${quotePath(f.path)})` : `${quotePath(f.path)}:${type} `;
      return { label: f.path, insert, detail: type, kind: "field" as const };
    });
    if (e.what === "field" && prefixToken?.kind !== "path") {
      if (startsWithCI("NOT", prefix) && prefix) items.push({ label: "NOT", insert: "NOT ", kind: "keyword" });
      for (const a of AGGREGATES)
        if (prefix && startsWithCI(a, prefix)) items.push({ label: `${a}(…)`, insert: `${a}(`, detail: "aggregate", kind: "keyword" });
    }
  } else if (e.what === "typeOrAggregate") {
    const all = [...TYPES.map((t) => ({ t, d: "type" })), ...AGGREGATES.map((t) => ({ t, d: "aggregate" }))];
    items = all
      .filter(({ t }) => startsWithCI(t, prefix))
      .map(({ t, d }) => ({ label: t, insert: t + " ", detail: d, kind: "type" as const }));
  } else if (e.what === "operator") {
    let ops = e.type ? TYPE_OPERATORS[e.type] ?? ALL_OPERATORS : ALL_OPERATORS;
    if (e.negated) ops = ops.filter((o) => o === "NOT MATCHES").map(() => "MATCHES");
    items = ops
      .filter((o) => startsWithCI(o, prefix))
      .map((o) => ({ label: o, insert: o + " ", detail: e.type ?? undefined, kind: "operator" as const }));
  } else if (e.what === "value") {
    let values: string[] = [];
    if (e.type === "bool") values = ["true", "false"];
    else if (e.type === "experimentState") values = ["running", "idle", "active", "inactive"];
    else if (e.type === "datetime") values = DATE_VALUES;
    else if (e.type === "string" || e.type === "stringSet" || e.type === null) {
      values = valuesFor(e.path).map((v) => '"' + v.replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"');
    }
    const bare = prefix.replace(/^"/, "");
    items = values
      .filter((v) => startsWithCI(v.replace(/^"/, ""), bare))
      .slice(0, limit)
      .map((v) => ({ label: v, insert: v + " ", detail: e.type ?? undefined, kind: "value" as const }));
  } else if (e.what === "connective") {
    const words = ["AND", "OR", ...(e.depth > 0 ? [")"] : [])];
    items = words
      .filter((w) => startsWithCI(w, prefix))
      .map((w) => ({ label: w, insert: w === ")" ? ")" : w + " ", kind: "keyword" as const }));
  }
  // Nothing more to offer than what is already typed in full.
  if (items.length === 1 && items[0].insert.trim() === prefix) items = [];
  return { from, to: prefixToken ? prefixToken.end : cursor, items };
}

/** The text with a suggestion applied, and where the cursor goes. */
export function applySuggestion(text: string, c: Completion, s: Suggestion): { text: string; cursor: number } {
  const next = text.slice(0, c.from) + s.insert + text.slice(c.to);
  return { text: next, cursor: c.from + s.insert.length };
}
