// The NQL filter box: completion of paths, operators and values as the user types, Enter to
// apply, and the server's syntax error shown under the box with its position marked.
import { useEffect, useMemo, useRef, useState } from "react";
import { applySuggestion, complete, type Completion, type FieldChoice } from "./completion";
import "./nql.css";

export interface NqlError {
  message: string;
  position: number | null;
}

export interface NqlBoxProps {
  value: string;
  fields: readonly FieldChoice[];
  valuesFor?: (path: string) => readonly string[];
  error?: NqlError | null;
  onApply(text: string): void;
  placeholder?: string;
}

export function NqlBox({ value, fields, valuesFor, error, onApply, placeholder }: NqlBoxProps) {
  const [draft, setDraft] = useState(value);
  const [cursor, setCursor] = useState(value.length);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  // Suggestions for an empty prefix (what may follow) show only when asked for: after a
  // suggestion was taken or with Ctrl+Space, so that Enter after a typed query applies it.
  const [explicit, setExplicit] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => setDraft(value), [value]);

  const completion: Completion = useMemo(
    () => (open ? complete(draft, cursor, fields, valuesFor) : { from: cursor, to: cursor, items: [] }),
    [open, draft, cursor, fields, valuesFor],
  );
  const items = completion.items;
  const showing = open && items.length > 0 && (explicit || completion.to > completion.from);

  const edit = (text: string, at: number, reopen: boolean, asked = false) => {
    setExplicit(asked);
    setDraft(text);
    setCursor(at);
    setActive(0);
    setOpen(reopen);
  };

  const accept = (i: number) => {
    const s = items[i];
    if (!s) return;
    const r = applySuggestion(draft, completion, s);
    // After a field or an operator, what comes next is offered at once; after a value, not,
    // so that Enter then applies the query.
    const next = s.kind === "field" || s.kind === "operator" || s.kind === "type";
    edit(r.text, r.cursor, next, next);
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(r.cursor, r.cursor);
    });
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (showing && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      e.preventDefault();
      setActive((a) => (a + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length);
    } else if (showing && (e.key === "Enter" || e.key === "Tab")) {
      e.preventDefault();
      accept(active);
    } else if (e.key === "Escape") {
      setOpen(false);
    } else if (e.key === " " && e.ctrlKey) {
      e.preventDefault();
      setExplicit(true);
      setOpen(true);
    } else if (e.key === "Enter") {
      e.preventDefault();
      setOpen(false);
      onApply(draft);
    }
  };

  const pos = error?.position;
  const marked = error && pos !== null && pos !== undefined && value.length > 0;

  return (
    <div className="nql" data-testid="nql-box">
      <div className="nql-row">
        <div className="nql-field">
          <input
            ref={input}
            className={"nql-input" + (error ? " invalid" : "")}
            data-testid="nql-input"
            spellCheck={false}
            autoComplete="off"
            placeholder={placeholder ?? 'Filter with NQL, e.g. `params/lr`:float < 0.01 AND sys/tags CONTAINS "best"'}
            value={draft}
            onChange={(e) => {
              const at = e.target.selectionStart ?? e.target.value.length;
              edit(e.target.value, at, true);
            }}
            onKeyDown={onKeyDown}
            onClick={(e) => setCursor(e.currentTarget.selectionStart ?? draft.length)}
            onBlur={() => setTimeout(() => setOpen(false), 150)}
            aria-autocomplete="list"
            aria-expanded={showing}
          />
          {showing && (
            <ul className="nql-suggestions" data-testid="nql-suggestions" role="listbox">
              {items.map((s, i) => (
                <li
                  key={s.kind + s.label}
                  role="option"
                  aria-selected={i === active}
                  className={i === active ? "active" : ""}
                  data-testid="nql-suggestion"
                  onMouseDown={(e) => {
                    e.preventDefault();
                    accept(i);
                  }}
                  onMouseEnter={() => setActive(i)}
                >
                  <span className={"nql-label nql-" + s.kind}>{s.label}</span>
                  {s.detail && <span className="nql-detail">{s.detail}</span>}
                </li>
              ))}
            </ul>
          )}
        </div>
        <button type="button" data-testid="nql-apply" onClick={() => onApply(draft)}>
          Apply
        </button>
        {(draft || value) && (
          <button
            type="button"
            data-testid="nql-clear"
            onClick={() => {
              edit("", 0, false);
              onApply("");
            }}
          >
            Clear
          </button>
        )}
      </div>
      {error && (
        <div className="nql-error" data-testid="nql-error" role="alert">
          <div>{error.message}</div>
          {marked && (
            <code className="nql-where" data-testid="nql-error-where">
              {value.slice(0, pos!)}
              <mark>{value.slice(pos!, pos! + 1) || " "}</mark>
              {value.slice(pos! + 1)}
            </code>
          )}
        </div>
      )}
    </div>
  );
}
