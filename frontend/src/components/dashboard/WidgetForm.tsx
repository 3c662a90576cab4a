// The form of one widget: its type, title and the type's own settings (lists of field paths
// one per line). Checks what the server would refuse before sending, with a message.
import { useState } from "react";
import { WIDGET_TYPES, type Aggregate, type Widget, type WidgetType, type XAxis } from "../../api/dashboards";

const SIZES: Record<WidgetType, [number, number]> = {
  line: [6, 5],
  scatter: [4, 5],
  parallel: [6, 5],
  images: [6, 5],
  table: [6, 5],
  value: [3, 2],
  markdown: [4, 3],
};

export function defaultSize(type: WidgetType): { w: number; h: number } {
  return { w: SIZES[type][0], h: SIZES[type][1] };
}

const lines = (s: string) =>
  s
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

interface Draft {
  type: WidgetType;
  title: string;
  query: string;
  paths: string; // series, fields or columns, one per line
  group: string;
  xaxis: XAxis;
  a: string; // x_field / field
  b: string; // y_field
  step: string;
  sortPath: string;
  sortDir: "asc" | "desc";
  limit: string;
  aggregate: Aggregate;
  text: string;
}

function draftOf(w: Widget | null): Draft {
  const d: Draft = { type: "line", title: "", query: "", paths: "", group: "", xaxis: "step", a: "", b: "", step: "", sortPath: "", sortDir: "desc", limit: "20", aggregate: "mean", text: "" };
  if (!w) return d;
  d.type = w.type;
  d.title = w.title;
  if ("query" in w) d.query = w.query;
  if (w.type === "line") Object.assign(d, { paths: w.series.join("\n"), group: w.group ?? "", xaxis: w.xaxis });
  if (w.type === "scatter") Object.assign(d, { a: w.x_field, b: w.y_field });
  if (w.type === "parallel") d.paths = w.fields.join("\n");
  if (w.type === "images") Object.assign(d, { a: w.field, step: w.step === null ? "" : String(w.step) });
  if (w.type === "table") Object.assign(d, { paths: w.columns.join("\n"), sortPath: w.sort?.path ?? "", sortDir: w.sort?.dir ?? "desc", limit: String(w.limit) });
  if (w.type === "value") Object.assign(d, { a: w.field, aggregate: w.aggregate });
  if (w.type === "markdown") d.text = w.text;
  return d;
}

const BAD_PATH = /[\x00-\x1f\x7f]/;

function pathProblem(what: string, p: string): string | null {
  if (!p) return `Give the ${what}.`;
  if (p.length > 500) return `The ${what} has more than 500 characters.`;
  if (BAD_PATH.test(p)) return `The ${what} contains a control character.`;
  return null;
}

/** The widget of a draft, or the message saying what is wrong with it. */
function build(d: Draft, base: { id: string; x: number; y: number; w: number; h: number }): Widget | string {
  const common = { ...base, title: d.title.trim() };
  if (common.title.length > 200) return "A title has at most 200 characters.";
  if (d.query.length > 10000) return "A query has at most 10,000 characters.";
  const q = d.query.trim();
  const list = lines(d.paths);
  const check = (what: string, ps: string[], lo: number, hi: number) => {
    if (ps.length < lo || ps.length > hi) return `Give ${lo === hi ? lo : `${lo} to ${hi}`} ${what}, one per line.`;
    for (const p of ps) {
      const e = pathProblem(what, p);
      if (e) return e;
    }
    return null;
  };
  switch (d.type) {
    case "line": {
      const e = check("series paths", list, 1, 20) ?? (d.group.trim() ? pathProblem("group field", d.group.trim()) : null);
      return e ?? { ...common, type: "line", query: q, group: d.group.trim() || null, series: list, xaxis: d.xaxis };
    }
    case "scatter": {
      const e = pathProblem("x field", d.a.trim()) ?? pathProblem("y field", d.b.trim());
      return e ?? { ...common, type: "scatter", query: q, x_field: d.a.trim(), y_field: d.b.trim() };
    }
    case "parallel":
      return check("fields", list, 2, 30) ?? { ...common, type: "parallel", query: q, fields: list };
    case "images": {
      const step = d.step.trim() === "" ? null : Number(d.step);
      if (step !== null && !Number.isInteger(step)) return "The step is a whole number (or empty for the last image).";
      return pathProblem("image field", d.a.trim()) ?? { ...common, type: "images", query: q, field: d.a.trim(), step };
    }
    case "table": {
      const limit = Number(d.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return "The row limit is a whole number from 1 to 1000.";
      const e = check("columns", list, 1, 50) ?? (d.sortPath.trim() ? pathProblem("sort field", d.sortPath.trim()) : null);
      return e ?? { ...common, type: "table", query: q, columns: list, sort: d.sortPath.trim() ? { path: d.sortPath.trim(), dir: d.sortDir } : null, limit };
    }
    case "value":
      return pathProblem("field", d.a.trim()) ?? { ...common, type: "value", query: q, field: d.a.trim(), aggregate: d.aggregate };
    case "markdown":
      if (d.text.length > 20000) return "Markdown text has at most 20,000 characters.";
      return { ...common, type: "markdown", text: d.text };
  }
}

export function WidgetForm(props: {
  initial: Widget | null;
  base: { id: string; x: number; y: number; w: number; h: number };
  onDone: (w: Widget) => void;
  onCancel: () => void;
}) {
  const [d, setD] = useState<Draft>(() => draftOf(props.initial));
  const [error, setError] = useState<string | null>(null);
  const set = (patch: Partial<Draft>) => setD((old) => ({ ...old, ...patch }));
  const field = (label: string, key: "a" | "b" | "group" | "sortPath" | "step" | "limit", testId: string, placeholder = "") => (
    <label>
      {label}
      <input data-testid={testId} value={d[key]} placeholder={placeholder} onChange={(e) => set({ [key]: e.target.value })} />
    </label>
  );
  const paths = (label: string) => (
    <label className="wide">
      {label} (one per line)
      <textarea data-testid="widget-paths" rows={3} value={d.paths} onChange={(e) => set({ paths: e.target.value })} />
    </label>
  );
  const submit = () => {
    const out = build(d, props.base);
    if (typeof out === "string") setError(out);
    else props.onDone(out);
  };
  return (
    <form
      className="widget-form"
      data-testid="widget-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label>
        Type
        <select data-testid="widget-type" value={d.type} disabled={props.initial !== null} onChange={(e) => set({ type: e.target.value as WidgetType })}>
          {WIDGET_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <label className="wide">
        Title
        <input data-testid="widget-title" value={d.title} onChange={(e) => set({ title: e.target.value })} />
      </label>
      {d.type !== "markdown" && (
        <label className="wide">
          Runs (NQL query, empty for all)
          <input data-testid="widget-query" value={d.query} onChange={(e) => set({ query: e.target.value })} />
        </label>
      )}
      {d.type === "line" && (
        <>
          {paths("Series")}
          {field("Group by", "group", "widget-group", "e.g. params/optimizer")}
          <label>
            X axis
            <select data-testid="widget-xaxis" value={d.xaxis} onChange={(e) => set({ xaxis: e.target.value as XAxis })}>
              <option value="step">step</option>
              <option value="time">time</option>
              <option value="relative">relative time</option>
            </select>
          </label>
        </>
      )}
      {d.type === "scatter" && (
        <>
          {field("X field", "a", "widget-x-field")}
          {field("Y field", "b", "widget-y-field")}
        </>
      )}
      {d.type === "parallel" && paths("Fields")}
      {d.type === "images" && (
        <>
          {field("Image field", "a", "widget-field")}
          {field("Step", "step", "widget-step", "last")}
        </>
      )}
      {d.type === "table" && (
        <>
          {paths("Columns")}
          {field("Sort by", "sortPath", "widget-sort")}
          <label>
            Order
            <select data-testid="widget-sort-dir" value={d.sortDir} onChange={(e) => set({ sortDir: e.target.value as "asc" | "desc" })}>
              <option value="desc">descending</option>
              <option value="asc">ascending</option>
            </select>
          </label>
          {field("Rows", "limit", "widget-limit")}
        </>
      )}
      {d.type === "value" && (
        <>
          {field("Field", "a", "widget-field")}
          <label>
            Aggregate
            <select data-testid="widget-aggregate" value={d.aggregate} onChange={(e) => set({ aggregate: e.target.value as Aggregate })}>
              {["last", "mean", "min", "max", "count"].map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      {d.type === "markdown" && (
        <label className="wide">
          Text (Markdown)
          <textarea data-testid="widget-text" rows={6} value={d.text} onChange={(e) => set({ text: e.target.value })} />
        </label>
      )}
      {error && (
        <div className="banner error" data-testid="widget-form-error">
          {error}
        </div>
      )}
      <div className="widget-form-buttons">
        <button type="submit" data-testid="widget-submit">
          {props.initial ? "Apply" : "Add widget"}
        </button>
        <button type="button" data-testid="widget-cancel" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
