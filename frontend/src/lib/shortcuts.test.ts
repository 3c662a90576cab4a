import { act, renderHook } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { focusQuery, isTyping, moveCursor, shortcutOf, useRowCursor } from "./shortcuts";

const press = (key: string, target: EventTarget = document.body, mods: Partial<KeyboardEvent> = {}) =>
  shortcutOf({ key, ctrlKey: false, metaKey: false, altKey: false, target, ...mods } as KeyboardEvent);

afterEach(() => {
  document.body.innerHTML = "";
});

describe("shortcuts", () => {
  it("names the shortcut keys, and nothing else", () => {
    for (const k of ["/", "?", "j", "k", "Enter", "Escape"]) expect(press(k)).toBe(k);
    expect(press("x")).toBeNull();
    expect(press("j", document.body, { ctrlKey: true })).toBeNull();
    expect(press("k", document.body, { metaKey: true })).toBeNull();
  });

  it("never fires while typing in an input, textarea, select or contenteditable", () => {
    document.body.innerHTML =
      '<input id="i"><textarea id="t"></textarea><select id="s"></select><div contenteditable="true"><span id="c">x</span></div><button id="b">b</button>';
    for (const id of ["i", "t", "s", "c"]) {
      const el = document.getElementById(id)!;
      expect(isTyping(el)).toBe(true);
      for (const k of ["/", "?", "j", "k", "Enter"]) expect(press(k, el)).toBeNull();
      expect(press("Escape", el)).toBe("Escape");
    }
    const button = document.getElementById("b")!;
    expect(isTyping(button)).toBe(false);
    expect(press("Enter", button)).toBeNull(); // Enter on a button presses it
    expect(press("j", button)).toBe("j");
  });

  it("moves a cursor within the rows", () => {
    expect(moveCursor(-1, 1, 5)).toBe(0);
    expect(moveCursor(-1, -1, 5)).toBe(4);
    expect(moveCursor(0, -1, 5)).toBe(0);
    expect(moveCursor(3, 1, 5)).toBe(4);
    expect(moveCursor(4, 1, 5)).toBe(4);
    expect(moveCursor(2, 1, 0)).toBe(-1);
  });

  it("focuses the query box when the page has one", () => {
    expect(focusQuery()).toBe(false);
    document.body.innerHTML = '<input data-testid="nql-input" value="a">';
    expect(focusQuery()).toBe(true);
    expect(document.activeElement).toBe(document.querySelector('[data-testid="nql-input"]'));
  });

  it("j/k move the row cursor and Enter opens it", () => {
    const open = vi.fn();
    const { result } = renderHook(() => useRowCursor(3, open));
    expect(result.current).toBe(-1);
    const key = (k: string) => act(() => void window.dispatchEvent(new KeyboardEvent("keydown", { key: k })));
    key("j");
    key("j");
    expect(result.current).toBe(1);
    key("k");
    expect(result.current).toBe(0);
    key("Enter");
    expect(open).toHaveBeenCalledWith(0);
    key("j");
    key("j");
    key("j");
    expect(result.current).toBe(2);
  });
});
