// "Download CSV": every row of the current view (its query, columns and sort), fetched page by
// page through the tables route, written as CSV (lib/csv.ts) and saved by the browser.
import { useRef, useState } from "react";
import { fetchAllRows, type TableKind, type TableRequest } from "../../api/tables";
import type { ProjectRef } from "../../api/types";
import { tableCsv } from "../../lib/csv";

export interface CsvDownloadProps {
  project: ProjectRef;
  kind: TableKind;
  /** The view's request; its `columns` are the CSV's columns, in order. */
  request: Omit<TableRequest, "limit" | "offset"> & { columns: string[] };
  filename: string;
}

/** Saves `text` as a file named `filename` (a Blob URL on a temporary link). */
export function saveText(text: string, filename: string, type = "text/csv;charset=utf-8"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function CsvDownload({ project, kind, request, filename }: CsvDownloadProps) {
  const [progress, setProgress] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const running = useRef<AbortController | null>(null);

  const start = async () => {
    if (running.current) {
      running.current.abort();
      return;
    }
    const c = new AbortController();
    running.current = c;
    setError(null);
    setProgress("0");
    try {
      const answer = await fetchAllRows(
        project,
        kind,
        request,
        (done, total) => setProgress(total === null ? `${done}` : `${done.toLocaleString()} / ${total.toLocaleString()}`),
        c.signal,
      );
      // the view's columns in its order (the answer puts sys/id first)
      saveText("\ufeff" + tableCsv(request.columns, answer.rows, answer.types), filename);
    } catch (e) {
      if (!c.signal.aborted) setError(`The CSV could not be made: ${(e as Error).message}`);
    } finally {
      running.current = null;
      setProgress(null);
    }
  };

  return (
    <span className="csv-download">
      <button
        type="button"
        data-testid="csv-download"
        title="Download every row of this view (its query, columns and sort) as CSV"
        onClick={start}
      >
        {progress === null ? "CSV" : `Cancel (${progress})`}
      </button>
      {error && (
        <span className="error" role="alert" data-testid="csv-error">
          {error}
        </span>
      )}
    </span>
  );
}
