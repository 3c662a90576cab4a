// Keyboard shortcuts of the app: `/` focuses the query box, `j`/`k` move the cursor row of the
// runs table and Enter opens it, `?` lists them, Escape closes the list. None fires while the
// user types in an input, textarea, select or contenteditable element.
import { useEffect, useRef, useState } from "react";

export interface Shortcut {
  keys: string[];
  does: string;
}

export const SHORTCUTS: Shortcut[] = [
  { keys: ["/"], does: "Focus the query box" },
  { keys: ["j"], does: "Next row of the runs table" },
  { keys: ["k"], does: "Previous row of the runs table" },
  { keys: ["Enter"], does: "Open the selected row" },
  { keys: ["?"], does: "Show this list" },
  { keys: ["Esc"], does: "Close this list" },
];

/** True when keys pressed in `target` are the user's typing, not shortcuts. */
export function isTyping(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== "function") return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  return el.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]') !== null;
}

/** The shortcut a key press asks for, or null (typing, a modifier held, or no shortcut). */
export function shortcutOf(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "target">): string | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.key === "Escape") return "Escape";
  if (isTyping(e.target)) return null;
  if (e.key === "Enter") {
    // Enter on a link or a button is theirs
    const el = e.target as Element | null;
    if (el && typeof el.closest === "function" && el.closest("a, button, [role='button']")) return null;
    return "Enter";
  }
  return ["/", "?", "j", "k"].includes(e.key) ? e.key : null;
}

/** The row after `delta` moves from `cursor` among `count` rows (-1: none yet). */
export function moveCursor(cursor: number, delta: number, count: number): number {
  if (count <= 0) return -1;
  if (cursor < 0) return delta > 0 ? 0 : count - 1;
  return Math.min(count - 1, Math.max(0, cursor + delta));
}

/** Focuses the page's query box; false when the page has none. */
export function focusQuery(root: ParentNode = document): boolean {
  const box = root.querySelector<HTMLInputElement>('[data-testid="nql-input"]');
  if (!box) return false;
  box.focus();
  box.select?.();
  return true;
}

/** Calls `handler` with the shortcut of each key press on the page (while mounted). */
export function useShortcuts(handler: (shortcut: string, e: KeyboardEvent) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      const s = shortcutOf(e);
      if (s) ref.current(s, e);
    };
    window.addEventListener("keydown", on);
    return () => window.removeEventListener("keydown", on);
  }, []);
}

/** The cursor row of a table moved by j/k; Enter calls `open` with it. */
export function useRowCursor(count: number, open: (index: number) => void): number {
  const [cursor, setCursor] = useState(-1);
  useShortcuts((s, e) => {
    if (document.querySelector('[data-testid="shortcuts-dialog"]')) return;
    if (s === "j" || s === "k") {
      e.preventDefault();
      setCursor((c) => moveCursor(c, s === "j" ? 1 : -1, count));
    } else if (s === "Enter" && cursor >= 0 && cursor < count) {
      e.preventDefault();
      open(cursor);
    }
  });
  return cursor < count ? cursor : -1;
}
