// Signing in: with a user name and password (POST api/v1/login gives a token) or by pasting
// an API token. The token is kept in localStorage; then the page the user wanted opens.
import { useEffect, useState } from "react";
import { API, getJSON, setToken } from "../api/client";
import { useTitle } from "../lib/title";

interface Health {
  status: string;
  version?: string;
  auth?: boolean;
}

function goTo(next: string | null) {
  // Only a route of this app: never an address elsewhere.
  window.location.hash = next && next.startsWith("#/") && !next.startsWith("#/login") ? next : "#/";
}

async function errorText(res: Response): Promise<string> {
  try {
    const body = await res.json();
    const d = body.detail ?? body.message;
    return typeof d === "string" ? d : res.statusText;
  } catch {
    return res.statusText || `HTTP ${res.status}`;
  }
}

/** Is this token accepted? (GET users/me with it, without touching the stored token.) */
async function checkToken(token: string): Promise<string | null> {
  const res = await fetch(`${API}/users/me`, { headers: { Authorization: `Bearer ${token}` } });
  if (res.ok) return null;
  if (res.status === 401) return "The server refused this token: check it was copied whole and has not expired.";
  return await errorText(res);
}

export function LoginPage({ next }: { next: string | null }) {
  useTitle("sign in");
  const [health, setHealth] = useState<Health | null>(null);
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [token, setTokenText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    getJSON<Health>("/health")
      .then((h) => {
        setHealth(h);
        if (h.auth === false) goTo(next); // `despina ui`: nothing to sign in to
      })
      .catch((e: Error) => setError(`The server does not answer: ${e.message}`));
  }, [next]);

  const withPassword = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!user || !password) {
      setError("Type your user name and password.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`${API}/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ user, password }),
      });
      if (!res.ok) {
        setError(res.status === 401 ? "Wrong user name or password." : await errorText(res));
        return;
      }
      const answer = (await res.json()) as { token: string };
      setToken(answer.token);
      goTo(next);
    } catch (err) {
      setError(`Could not sign in: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  const withToken = async (e: React.FormEvent) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) {
      setError("Paste an API token (made with `despina token create`).");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const problem = await checkToken(t);
      if (problem) setError(problem);
      else {
        setToken(t);
        goTo(next);
      }
    } catch (err) {
      setError(`Could not check the token: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="scroll-page">
      <div className="login" data-testid="login-page">
        <h1>Sign in to despina</h1>
        {health?.auth === false && <p className="muted">This server needs no sign-in; opening…</p>}
        <form onSubmit={withPassword} data-testid="login-password-form">
          <input autoComplete="username" placeholder="User" value={user} onChange={(e) => setUser(e.target.value)} data-testid="login-user" />
          <input
            type="password"
            autoComplete="current-password"
            placeholder="Password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="login-password"
          />
          <button type="submit" disabled={busy} data-testid="login-submit">
            Sign in
          </button>
        </form>
        <form onSubmit={withToken} data-testid="login-token-form">
          <input
            type="password"
            placeholder="or paste an API token (dsp_…)"
            value={token}
            onChange={(e) => setTokenText(e.target.value)}
            data-testid="login-token"
          />
          <button type="submit" disabled={busy} data-testid="login-token-submit">
            Use token
          </button>
        </form>
        {error && (
          <div className="error" role="alert" data-testid="login-error">
            {error}
          </div>
        )}
      </div>
    </div>
  );
}
