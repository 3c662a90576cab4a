// The browser tab's title names the page: "runs · team/vision · despina".
import { useEffect } from "react";

export const APP_NAME = "despina";

/** The parts, most specific first, joined with " · " and ending with the app's name; empty parts are left out. */
export function pageTitle(...parts: (string | null | undefined)[]): string {
  const kept = parts.map((p) => (p ?? "").trim()).filter((p) => p !== "");
  return [...kept, APP_NAME].join(" · ");
}

export function projectName(project: { workspace: string; name: string }): string {
  return `${project.workspace}/${project.name}`;
}

/** Sets document.title while the page is shown (document.title is text: no markup runs). */
export function useTitle(...parts: (string | null | undefined)[]): void {
  const title = pageTitle(...parts);
  useEffect(() => {
    document.title = title;
  }, [title]);
}
