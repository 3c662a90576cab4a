// Choosing the fields the runs table is grouped by: a search over the project's fields (like
// the column chooser) and the grouping fields in order, each removable.
import { useEffect, useRef, useState } from "react";
import { typeLabel } from "../../lib/format";
import { searchFields, type FieldLike } from "../grid/searchFields";
import "../grid/columnChooser.css";

const SYS_GROUPS: FieldLike[] = [
  { path: "sys/state", type: "experiment_state" },
  { path: "sys/owner", type: "string" },
  { path: "sys/tags", type: "string_set" },
];
// Field types a group key may be (files and the like group as "none").
const GROUPABLE = ["float", "int", "string", "bool", "datetime", "float_series", "string_series", "string_set", "experiment_state"];
export const MAX_GROUP_FIELDS = 4;

export interface GroupChooserProps {
  fields: FieldLike[] | null;
  groups: string[];
  onChange(groups: string[]): void;
}

export function GroupChooser({ fields, groups, onChange }: GroupChooserProps) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState("");
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => ref.current && !ref.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);

  const chosen = new Set(groups);
  const known = new Map<string, FieldLike>();
  for (const f of [...SYS_GROUPS, ...(fields ?? [])]) if (GROUPABLE.includes(f.type) && !known.has(f.path)) known.set(f.path, f);
  const result = searchFields([...known.values()].filter((f) => !chosen.has(f.path)), query, 100);
  const full = groups.length >= MAX_GROUP_FIELDS;
  const add = (p: string) => !full && onChange([...groups, p]);

  return (
    <div className="chooser" ref={ref}>
      <button type="button" data-testid="group-button" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
        {groups.length ? `Grouped by ${groups.length}` : "Group by"}
      </button>
      {open && (
        <div className="chooser-pop" data-testid="group-chooser">
          <div className="chooser-side">
            <input
              autoFocus
              placeholder="Group by a field…"
              value={query}
              data-testid="group-search"
              onChange={(e) => setQuery(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && result.shown[0]) add(result.shown[0].path);
                if (e.key === "Escape") setOpen(false);
              }}
            />
            <ul className="chooser-list">
              {full && <li className="chooser-note">At most {MAX_GROUP_FIELDS} fields: remove one first.</li>}
              {!fields && <li className="chooser-note">Loading fields…</li>}
              {!full &&
                result.shown.map((f) => (
                  <li key={f.path}>
                    <button type="button" data-testid="group-option" data-path={f.path} onClick={() => add(f.path)}>
                      <span className="chooser-path">{f.path}</span>
                      <span className="chooser-type">{typeLabel(f.type)}</span>
                    </button>
                  </li>
                ))}
              {result.more > 0 && <li className="chooser-note">{result.more} more: type to narrow</li>}
            </ul>
          </div>
          <div className="chooser-side">
            <div className="chooser-title">Grouped by, in order</div>
            <ul className="chooser-list">
              {groups.length === 0 && <li className="chooser-note">Not grouped: pick a field.</li>}
              {groups.map((g) => (
                <li key={g} className="chooser-current" data-testid="group-current">
                  <span className="chooser-path" title={g}>
                    {g}
                  </span>
                  <button type="button" aria-label={`ungroup ${g}`} data-testid="group-remove" onClick={() => onChange(groups.filter((x) => x !== g))}>
                    ×
                  </button>
                </li>
              ))}
            </ul>
            {groups.length > 0 && (
              <button type="button" data-testid="group-clear" onClick={() => onChange([])}>
                Ungroup
              </button>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
