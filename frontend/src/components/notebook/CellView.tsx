// One cell: code with its execution count and outputs, Markdown (attachments resolved to
// data: URLs of PNG/JPEG), or raw text.
import { useCallback } from "react";
import { defaultImage } from "../../lib/notebook/markdown";
import { imageDataUrl, type Cell } from "../../lib/notebook/notebook";
import { Markdown } from "./Markdown";
import { OutputView } from "./OutputView";

function useAttachments(cell: Cell) {
  return useCallback(
    (src: string) => {
      if (!src.startsWith("attachment:")) return defaultImage(src);
      const bundle = cell.attachments[decodeURIComponent(src.slice("attachment:".length))];
      if (!bundle) return null;
      for (const mime of ["image/png", "image/jpeg"] as const) if (bundle[mime]) return imageDataUrl(mime, bundle[mime]);
      return null;
    },
    [cell.attachments],
  );
}

export function CellView({ cell, index }: { cell: Cell; index: number }) {
  const resolve = useAttachments(cell);
  if (cell.type === "markdown")
    return (
      <div className="nb-cell nb-markdown" data-testid="nb-cell" data-cell-type="markdown" data-index={index}>
        <div className="nb-prompt" />
        <Markdown text={cell.source} resolve={resolve} />
      </div>
    );
  if (cell.type === "raw")
    return (
      <div className="nb-cell nb-raw" data-testid="nb-cell" data-cell-type="raw" data-index={index}>
        <div className="nb-prompt" />
        <pre className="nb-text">{cell.source}</pre>
      </div>
    );
  return (
    <div className="nb-cell nb-code" data-testid="nb-cell" data-cell-type="code" data-index={index}>
      <div className="nb-prompt" data-testid="nb-count">
        [{cell.executionCount ?? " "}]:
      </div>
      <div className="nb-body">
        <pre className="nb-source" data-testid="nb-source">
          {cell.source}
        </pre>
        {cell.outputs.length > 0 && (
          <div className="nb-outputs">
            {cell.outputs.map((o, k) => (
              <OutputView key={k} output={o} />
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
