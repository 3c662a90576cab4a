// Selected rows of a table, by sys id: click toggles one, shift-click a range of the rows
// loaded between the last click and this one.
import { useCallback, useRef, useState } from "react";
import type { GridSelection } from "./VirtualGrid";
import type { Row } from "./useTableRows";

export function rangeIds(get: (i: number) => Row | undefined, a: number, b: number): string[] {
  const out: string[] = [];
  for (let i = Math.min(a, b); i <= Math.max(a, b); i++) {
    const id = get(i)?.["sys/id"];
    if (typeof id === "string") out.push(id);
  }
  return out;
}

export function useSelection(get: (i: number) => Row | undefined, held: () => Iterable<Row>, total: number | null) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const last = useRef<number | null>(null);

  const toggle = useCallback(
    (index: number, row: Row, shift: boolean) => {
      const id = String(row["sys/id"]);
      // Read the last click now: the updater below runs later, after it has moved.
      const ids = shift && last.current !== null ? rangeIds(get, last.current, index) : [id];
      setSelected((prev) => {
        const next = new Set(prev);
        const on = !prev.has(id);
        for (const x of ids) {
          if (on) next.add(x);
          else next.delete(x);
        }
        return next;
      });
      last.current = index;
    },
    [get],
  );

  const grid: GridSelection<Row> = {
    isSelected: (row) => selected.has(String(row["sys/id"])),
    toggle,
    all: selected.size === 0 ? "none" : total !== null && selected.size >= total ? "all" : "some",
    toggleAll: () => {
      if (selected.size > 0) setSelected(new Set());
      else setSelected(new Set(Array.from(held(), (r) => String(r["sys/id"]))));
    },
  };
  const clear = useCallback(() => setSelected(new Set()), []);
  return { selected, grid, clear, setSelected };
}
