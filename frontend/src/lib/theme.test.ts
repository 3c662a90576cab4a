import { afterEach, describe, expect, it } from "vitest";
import { applyTheme, parseTheme, resolveTheme, setTheme, storedTheme, THEME_KEY } from "./theme";

afterEach(() => {
  localStorage.clear();
  document.documentElement.removeAttribute("data-theme");
});

describe("theme", () => {
  it("parses only the three choices, anything else is system", () => {
    expect(parseTheme("dark")).toBe("dark");
    expect(parseTheme("light")).toBe("light");
    expect(parseTheme("system")).toBe("system");
    expect(parseTheme("purple")).toBe("system");
    expect(parseTheme(null)).toBe("system");
  });

  it("resolves system from the browser's preference", () => {
    expect(resolveTheme("system", true)).toBe("dark");
    expect(resolveTheme("system", false)).toBe("light");
    expect(resolveTheme("light", true)).toBe("light");
    expect(resolveTheme("dark", false)).toBe("dark");
  });

  it("stores the choice and sets data-theme; system removes both", () => {
    setTheme("dark");
    expect(localStorage.getItem(THEME_KEY)).toBe("dark");
    expect(storedTheme()).toBe("dark");
    expect(document.documentElement.getAttribute("data-theme")).toBe("dark");
    setTheme("system");
    expect(localStorage.getItem(THEME_KEY)).toBeNull();
    expect(storedTheme()).toBe("system");
    expect(document.documentElement.hasAttribute("data-theme")).toBe(false);
  });

  it("a stored garbage value reads as system", () => {
    localStorage.setItem(THEME_KEY, "<script>");
    expect(storedTheme()).toBe("system");
    applyTheme(storedTheme());
    expect(document.documentElement.hasAttribute("data-theme")).toBe(false);
  });
});
