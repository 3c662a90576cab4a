// One value in a grid cell, formatted by its type; always React text, never markup.
import { chips, formatValue, isChips } from "../../lib/format";

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
