// A small hash router: the whole view state lives in the URL after '#', so a link
// reproduces what the user sees and the server only serves index.html.
import { useEffect, useState } from "react";

export interface Location {
  path: string[]; // "#/p/ws/proj/runs" -> ["p", "ws", "proj", "runs"]
  query: URLSearchParams;
}

export function parseHash(hash: string): Location {
  const text = hash.replace(/^#/, "");
  const [pathPart, queryPart = ""] = text.split("?", 2);
  const path = pathPart
    .split("/")
    .filter((s) => s !== "")
    .map((s) => decodeURIComponent(s));
  return { path, query: new URLSearchParams(queryPart) };
}

export function formatHash(path: string[], query?: URLSearchParams | Record<string, string>): string {
  const q = query instanceof URLSearchParams ? query : new URLSearchParams(query ?? {});
  const qs = q.toString();
  return "#/" + path.map(encodeURIComponent).join("/") + (qs ? "?" + qs : "");
}

export function navigate(path: string[], query?: URLSearchParams | Record<string, string>, replace = false): void {
  const hash = formatHash(path, query);
  if (replace) {
    history.replaceState(null, "", hash);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    window.location.hash = hash;
  }
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const on = () => setLoc(parseHash(window.location.hash));
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return loc;
}
