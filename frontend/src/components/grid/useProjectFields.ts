// What a table page knows about a project's fields: the field list (for the column chooser
// and NQL completion) and values seen in the rows held (tags, owners) to complete.
import { useEffect, useState } from "react";
import { projectFields, type FieldInfo } from "../../api/projects";
import type { Row } from "./useTableRows";

/** Distinct string values of a column among ``rows`` (string sets give their members). */
export function seenValues(rows: Iterable<Row>, path: string, limit = 200): string[] {
  const out = new Set<string>();
  for (const r of rows) {
    const v = r[path];
    if (typeof v === "string") out.add(v);
    else if (Array.isArray(v)) for (const x of v) if (typeof x === "string") out.add(x);
    if (out.size >= limit) break;
  }
  return [...out].sort();
}

/** The project's field list for one kind, or null while it loads; errors are kept apart. */
export function useProjectFields(workspace: string, name: string, kind: string) {
  const [fields, setFields] = useState<FieldInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const c = new AbortController();
    setFields(null);
    setError(null);
    projectFields({ workspace, name }, kind, c.signal)
      .then(setFields)
      .catch((e: Error) => {
        if (!c.signal.aborted) setError(e.message);
      });
    return () => c.abort();
  }, [workspace, name, kind]);
  return { fields, error };
}
