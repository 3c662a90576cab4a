// The one way the app talks to the server: JSON over /api/v1 with the token from
// the login page (kept in localStorage). A 401 sends the user back to the login page.

export const API = "api/v1";
const TOKEN_KEY = "despina.token";

export class ApiError extends Error {
  constructor(
    public status: number,
    message: string,
    /** The answer's JSON body, when it had one (e.g. `position` of an NQL syntax error). */
    public body: Record<string, unknown> | null = null,
  ) {
    super(message);
  }
}

export function getToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

function headers(extra?: HeadersInit): Headers {
  const h = new Headers(extra);
  const token = getToken();
  if (token) h.set("Authorization", `Bearer ${token}`);
  return h;
}

export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(`${API}${path}`, { ...init, headers: headers(init.headers) });
  if (res.status === 401) onUnauthorized();
  if (!res.ok) {
    let message = res.statusText;
    let body: Record<string, unknown> | null = null;
    try {
      body = await res.json();
      const b = body as { detail?: { message?: unknown } | unknown; message?: unknown };
      const detail = b.detail as { message?: unknown } | undefined;
      const text = detail?.message ?? b.detail ?? b.message ?? message;
      message = typeof text === "string" ? text : JSON.stringify(text);
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, message, body);
  }
  return res;
}

export async function getJSON<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await request(path, { signal });
  return (await res.json()) as T;
}

export async function sendJSON<T>(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const res = await request(path, {
    method,
    body: JSON.stringify(body),
    headers: { "Content-Type": "application/json" },
    signal,
  });
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}
