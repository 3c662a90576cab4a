// The top bar: the project's pages, who is signed in, and signing out.
import { useEffect, useState } from "react";
import { getJSON, getToken, setToken } from "../api/client";
import { formatHash, navigate } from "../lib/router";
import { parseTheme, useTheme } from "../lib/theme";

interface Me {
  name: string;
  admin: boolean;
}

export function Header({ path }: { path: string[] }) {
  const [head, ws, proj, section] = path;
  const inProject = head === "p" && ws && proj;
  const [me, setMe] = useState<Me | null>(null);
  const [auth, setAuth] = useState<boolean | null>(null);
  const signedIn = head !== "login";
  const [theme, setTheme] = useTheme();

  useEffect(() => {
    if (!signedIn) return;
    getJSON<{ auth?: boolean }>("/health")
      .then((h) => setAuth(h.auth !== false))
      .catch(() => setAuth(null));
    getJSON<Me>("/users/me")
      .then(setMe)
      .catch(() => setMe(null));
  }, [signedIn, getToken()]);

  const link = (label: string, sec: string, testId: string) => (
    <a
      href={formatHash(["p", ws, proj, sec])}
      className={(section === "reports" ? "dashboards" : (section ?? "runs")) === sec ? "active" : ""}
      data-testid={testId}
    >
      {label}
    </a>
  );

  return (
    <header className="header" data-testid="header">
      <a className="brand" href="#/" data-testid="home-link">
        despina
      </a>
      {inProject && (
        <nav>
          <span className="crumb" data-testid="crumb">
            {ws} / {proj}
          </span>
          {link("Runs", "runs", "nav-runs")}
          {link("Models", "models", "nav-models")}
          {link("Notebooks", "notebooks", "nav-notebooks")}
          {link("Dashboards", "dashboards", "nav-dashboards")}
          {link("Project", "metadata", "nav-metadata")}
        </nav>
      )}
      <div className="spacer" />
      <select
        className="theme-switch"
        aria-label="Colour theme"
        title="Colour theme"
        data-testid="theme-switch"
        value={theme}
        onChange={(e) => setTheme(parseTheme(e.target.value))}
      >
        <option value="system">System theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
      {signedIn && me && auth && (
        <>
          <span className="muted" data-testid="user-name">
            {me.name}
          </span>
          <button
            type="button"
            data-testid="logout"
            onClick={() => {
              setToken(null);
              navigate(["login"]);
            }}
          >
            Sign out
          </button>
        </>
      )}
    </header>
  );
}
