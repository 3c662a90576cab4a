// One value in a grid cell, formatted by its type; always React text, never markup.
import type { ReactNode } from "react";
import { chips, formatValue, isChips } from "../../lib/format";

/** A cell's content, highlighted while ``mark`` is non-zero (a live poll just changed it). */
export function ChangedCell({ mark, children }: { mark: number; children: ReactNode }) {
  if (!mark) return <>{children}</>;
  return (
    <span className="cell-changed" data-testid="changed-cell" data-changed="1">
      {children}
    </span>
  );
}

export function CellValue({ value, type, path }: { value: unknown; type?: string; path: string }) {
  if (isChips(type) || (path === "sys/tags" && Array.isArray(value))) {
    return (
      <span className="chips">
        {chips(value).map((t) => (
          <span className="chip" key={t} data-testid="chip">
            {t}
          </span>
        ))}
      </span>
    );
  }
  const text = formatValue(value, type, path);
  return <span title={text}>{text}</span>;
}
