// A searchable list of series paths; the chosen one is overlaid for every run.
import { useState } from "react";

export function SeriesPicker(props: { paths: string[]; selected: string | null; onSelect: (p: string) => void }) {
  const [q, setQ] = useState("");
  const shown = props.paths.filter((p) => p.toLowerCase().includes(q.trim().toLowerCase()));
  return (
    <div className="series-picker" data-testid="series-picker">
      <input data-testid="series-search" placeholder="Search series" value={q} onChange={(e) => setQ(e.target.value)} />
      <ul>
        {shown.slice(0, 2000).map((p) => (
          <li key={p}>
            <button
              type="button"
              className={p === props.selected ? "series-option selected" : "series-option"}
              data-testid="series-option"
              data-path={p}
              onClick={() => props.onSelect(p)}
            >
              {p}
            </button>
          </li>
        ))}
        {shown.length === 0 && <li className="muted">No series match.</li>}
      </ul>
    </div>
  );
}
