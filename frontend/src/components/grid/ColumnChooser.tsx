// Adding, removing and ordering the columns of a table: a search over the project's fields
// (thousands of paths; only the first matches are drawn) and the current columns in order.
import { useEffect, useRef, useState } from "react";
import { typeLabel } from "../../lib/format";
import { moveItem } from "./layout";
import { searchFields, type FieldLike } from "./searchFields";
import "./columnChooser.css";

export interface ColumnChooserProps {
  fields: FieldLike[] | null;
  fieldsError?: string | null;
  columns: string[];
  onChange(columns: string[]): void;
}

export function ColumnChooser({ fields, fieldsError, columns, onChange }: ColumnChooserProps) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState("");
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);

  const shown = new Set(columns);
  const result = fields ? searchFields(fields.filter((f) => !shown.has(f.path)), query, 100) : null;
  const exact = query.trim() && !shown.has(query.trim()) && !fields?.some((f) => f.path === query.trim());

  return (
    <div className="chooser" ref={ref}>
      <button type="button" data-testid="columns-button" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
        Columns ({columns.length})
      </button>
      {open && (
        <div className="chooser-pop" data-testid="column-chooser">
          <div className="chooser-side">
            <input
              autoFocus
              placeholder="Search fields…"
              value={query}
              data-testid="column-search"
              onChange={(e) => setQuery(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && result?.shown[0]) onChange([...columns, result.shown[0].path]);
                if (e.key === "Escape") setOpen(false);
              }}
            />
            <ul className="chooser-list">
              {fieldsError && <li className="chooser-note">Fields could not be listed: {fieldsError}</li>}
              {!fields && !fieldsError && <li className="chooser-note">Loading fields…</li>}
              {result?.shown.map((f) => (
                <li key={f.path}>
                  <button
                    type="button"
                    data-testid="column-option"
                    data-path={f.path}
                    onClick={() => onChange([...columns, f.path])}
                  >
                    <span className="chooser-path">{f.path}</span>
                    <span className="chooser-type">{typeLabel(f.type)}</span>
                  </button>
                </li>
              ))}
              {exact && (
                <li>
                  <button type="button" data-testid="column-add-typed" onClick={() => onChange([...columns, query.trim()])}>
                    <span className="chooser-path">Add “{query.trim()}”</span>
                  </button>
                </li>
              )}
              {result && result.more > 0 && <li className="chooser-note">{result.more} more: type to narrow</li>}
              {result && result.shown.length === 0 && !exact && <li className="chooser-note">No field matches.</li>}
            </ul>
          </div>
          <div className="chooser-side">
            <div className="chooser-title">Shown, in order</div>
            <ul className="chooser-list" data-testid="column-order">
              {columns.map((c, i) => (
                <li key={c} className="chooser-current" data-path={c}>
                  <span className="chooser-path">{c}</span>
                  <button type="button" title="Move left" disabled={i === 0} onClick={() => onChange(moveItem(columns, i, i - 1))}>
                    ↑
                  </button>
                  <button
                    type="button"
                    title="Move right"
                    disabled={i === columns.length - 1}
                    onClick={() => onChange(moveItem(columns, i, i + 1))}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    title="Remove"
                    data-testid="column-remove"
                    disabled={c === "sys/id"}
                    onClick={() => onChange(columns.filter((x) => x !== c))}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
    </div>
  );
}
