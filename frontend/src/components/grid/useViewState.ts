// A table page's view state, read from the URL query and written back to it, so the
// address bar always reproduces what is on screen.
import { useCallback, useMemo } from "react";
import { navigate } from "../../lib/router";
import { decodeState, encodeState, type TableViewState } from "../../lib/urlstate";

export function useViewState(path: string[], query: URLSearchParams, defaultColumns: string[]) {
  const text = query.toString();
  const state = useMemo(() => decodeState(new URLSearchParams(text), defaultColumns), [text, defaultColumns]);
  const pathKey = path.join("\u0000");
  /** Applies a change; ``push`` makes a history entry (Back returns), else the URL is replaced. */
  const update = useCallback(
    (patch: Partial<TableViewState>, push = false) => {
      const next = { ...decodeState(new URLSearchParams(text), defaultColumns), ...patch };
      navigate(pathKey.split("\u0000"), encodeState(next, defaultColumns), !push);
    },
    [text, pathKey, defaultColumns],
  );
  return [state, update] as const;
}
