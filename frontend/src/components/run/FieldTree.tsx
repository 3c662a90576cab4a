// Every field of a run as a collapsible tree with a search box; virtualised, so a run with
// thousands of fields scrolls as fast as one with ten.
import { useEffect, useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { FieldValue } from "../../api/fields";
import { buildTree, flattenTree } from "./fieldTree";
import { formatFieldValue } from "./fieldFormat";

const ROW = 24;

export function FieldTree(props: {
  structure: Record<string, string>;
  values: Map<string, FieldValue>;
  selected: string | null;
  onSelect: (path: string, isNamespace: boolean) => void;
}) {
  const { structure, values, selected, onSelect } = props;
  const [search, setSearch] = useState("");
  const [open, setOpen] = useState<Set<string>>(() => new Set());
  // the selected field's namespaces are open (a link to a field shows it in the tree)
  useEffect(() => {
    if (!selected) return;
    const parts = selected.split("/");
    const need = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join("/"));
    setOpen((o) => (need.every((p) => o.has(p)) ? o : new Set([...o, ...need])));
  }, [selected]);
  const tree = useMemo(() => buildTree(structure), [structure]);
  const rows = useMemo(() => flattenTree(tree, open, search), [tree, open, search]);
  const scroller = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 20 });

  const toggle = (path: string) =>
    setOpen((o) => {
      const n = new Set(o);
      if (n.has(path)) n.delete(path);
      else n.add(path);
      return n;
    });

  return (
    <div className="field-tree" data-testid="field-tree">
      <input
        className="field-search"
        data-testid="field-search"
        placeholder="Search fields"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      <div ref={scroller} className="field-tree-scroll">
        <div style={{ height: virt.getTotalSize(), position: "relative" }}>
          {virt.getVirtualItems().map((vi) => {
            const { node, depth, open: isOpen } = rows[vi.index];
            const isNs = node.type === undefined;
            return (
              <div
                key={node.path}
                className={`field-row${selected === node.path ? " selected" : ""}`}
                data-testid="field-row"
                data-path={node.path}
                style={{ transform: `translateY(${vi.start}px)`, height: ROW, paddingLeft: 6 + depth * 14 }}
                onClick={() => {
                  if (isNs) toggle(node.path);
                  onSelect(node.path, isNs);
                }}
              >
                <span className="twisty">{isNs ? (isOpen ? "▾" : "▸") : ""}</span>
                <span className={isNs ? "field-name ns" : "field-name"}>{node.name}</span>
                {!isNs && <span className="field-value">{formatFieldValue(values.get(node.path), 80)}</span>}
                {!isNs && <span className="field-type">{node.type}</span>}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
