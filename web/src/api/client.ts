import type { components } from "./schema";

export type Schemas = components["schemas"];
export type TokenPair = Schemas["TokenPair"];

/** A ProblemDetails answer; `errors` (field -> messages) is there for validation problems, `reason` for a 403/409's code. */
export class ApiError extends Error {
  constructor(public readonly status: number, public readonly title: string, public readonly errors: Record<string, string[]> = {}, public readonly reason?: string) {
    super(title);
  }
}

interface Session { userId: string; accessToken: string; refreshToken: string; accessExpiresAt: number }

// sessionStorage, not localStorage: the session ends with the tab, and other tabs do not share a refresh family
// (a refresh token is single use, so two tabs rotating one family would revoke each other).
const storageKey = "ha.session";
let session: Session | null = load();
let refreshTimer: number | undefined;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<(reason: "signedIn" | "signedOut" | "expired") => void>();

function load(): Session | null {
  try { return JSON.parse(sessionStorage.getItem(storageKey) ?? "null") as Session | null; } catch { return null; }
}

function store(pair: TokenPair) {
  session = {
    userId: pair.userId,
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    accessExpiresAt: Date.now() + Number(pair.expiresIn) * 1000,
  };
  sessionStorage.setItem(storageKey, JSON.stringify(session));
  schedule();
}

/** Refreshes a minute before expiry (or at 80 % of a short lifetime), so calls never carry an expired token. */
function schedule() {
  window.clearTimeout(refreshTimer);
  if (!session) return;
  const left = session.accessExpiresAt - Date.now();
  const delay = Math.max(0, Math.min(left - 60_000, left * 0.8));
  refreshTimer = window.setTimeout(() => void refresh(), delay);
}

export function onSession(listener: (reason: "signedIn" | "signedOut" | "expired") => void) {
  listeners.add(listener);
}

export function signedIn(): boolean {
  return session !== null;
}

export function userId(): string | null {
  return session?.userId ?? null;
}

function end(reason: "signedOut" | "expired") {
  window.clearTimeout(refreshTimer);
  session = null;
  sessionStorage.removeItem(storageKey);
  listeners.forEach((l) => l(reason));
}

/** One refresh at a time: the token is single use, so a second concurrent rotation would be taken for a replay. */
export function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    const current = session;
    if (!current) return false;
    try {
      const response = await fetch("/api/auth/refresh", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refreshToken: current.refreshToken }),
      });
      if (!response.ok) { end("expired"); return false; }
      store((await response.json()) as TokenPair);
      return true;
    } catch {
      // Offline is not a signed-out session: try again shortly.
      refreshTimer = window.setTimeout(() => void refresh(), 5_000);
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** The access token for SignalR, refreshed first when it is about to expire. */
export async function accessToken(): Promise<string> {
  if (session && session.accessExpiresAt - Date.now() < 10_000) await refresh();
  return session?.accessToken ?? "";
}

/** Extra request headers (an Idempotency-Key); a retry after a silent refresh sends the same ones, so it stays one request. */
export interface CallOptions { headers?: Record<string, string> }

export function call<T>(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<T> {
  return send<T>(method, path, body, options, false);
}

async function send<T>(method: string, path: string, body: unknown, options: CallOptions, retried: boolean): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (session) headers.Authorization = `Bearer ${await accessToken()}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401 && session && !retried && !path.startsWith("/api/auth/")) {
    if (await refresh()) return send<T>(method, path, body, options, true);
  }
  if (!response.ok) {
    let problem: { title?: string; detail?: string; errors?: Record<string, string[]>; reason?: string } = {};
    try { problem = await response.json(); } catch { /* not a ProblemDetails body */ }
    throw new ApiError(response.status, problem.detail ?? problem.title ?? response.statusText, problem.errors ?? {}, problem.reason);
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export async function register(email: string, password: string, name: string) {
  store(await call<TokenPair>("POST", "/api/auth/register", { email, password, name }));
  listeners.forEach((l) => l("signedIn"));
}

export async function login(email: string, password: string) {
  store(await call<TokenPair>("POST", "/api/auth/login", { email, password }));
  listeners.forEach((l) => l("signedIn"));
}

export async function logout() {
  const token = session?.refreshToken;
  end("signedOut");
  if (token) {
    try { await call<void>("POST", "/api/auth/logout", { refreshToken: token }); } catch { /* already signed out locally */ }
  }
}

// A reloaded tab resumes its timer; an access token that already expired is refreshed at once.
if (session) schedule();
