// The colour theme: "light", "dark" or "system" (follows the browser's prefers-color-scheme),
// remembered in localStorage. styles.css holds the colours as custom properties; an explicit
// choice sets data-theme on <html>, "system" removes it and the CSS media query decides.
import { useEffect, useState } from "react";

export type ThemeChoice = "light" | "dark" | "system";
export const THEME_KEY = "despina.theme";
const CHOICES: readonly ThemeChoice[] = ["light", "dark", "system"];

export function parseTheme(value: string | null | undefined): ThemeChoice {
  return CHOICES.includes(value as ThemeChoice) ? (value as ThemeChoice) : "system";
}

export function storedTheme(): ThemeChoice {
  try {
    return parseTheme(localStorage.getItem(THEME_KEY));
  } catch {
    return "system";
  }
}

/** The theme drawn: the choice, or for "system" what the browser prefers. */
export function resolveTheme(choice: ThemeChoice, prefersDark: boolean): "light" | "dark" {
  return choice === "system" ? (prefersDark ? "dark" : "light") : choice;
}

export function prefersDark(): boolean {
  return typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches;
}

export function applyTheme(choice: ThemeChoice, root: HTMLElement = document.documentElement): void {
  if (choice === "system") root.removeAttribute("data-theme");
  else root.setAttribute("data-theme", choice);
}

export function setTheme(choice: ThemeChoice): void {
  try {
    if (choice === "system") localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, choice);
  } catch {
    // storage refused (private mode): the choice lasts for this page only
  }
  applyTheme(choice);
  window.dispatchEvent(new CustomEvent("despina-theme", { detail: choice }));
}

/** The current choice, and a setter that stores and applies it. */
export function useTheme(): [ThemeChoice, (t: ThemeChoice) => void] {
  const [choice, setChoice] = useState<ThemeChoice>(storedTheme);
  useEffect(() => {
    const on = () => setChoice(storedTheme());
    window.addEventListener("despina-theme", on);
    window.addEventListener("storage", on);
    return () => {
      window.removeEventListener("despina-theme", on);
      window.removeEventListener("storage", on);
    };
  }, []);
  return [choice, setTheme];
}
