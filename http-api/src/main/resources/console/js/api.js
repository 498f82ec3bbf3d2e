// The admin token and every JSON request the console makes. The token lives in sessionStorage:
// it survives a reload but not the tab, and is never written to a cookie the browser would send
// on its own (so other sites cannot ride on it).

const KEY = 'baton.adminToken';

export class Refused extends Error {
  constructor() { super('the token was refused'); }
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let refusedHandler = () => {};

export function token() {
  return sessionStorage.getItem(KEY);
}

export function setToken(value) {
  sessionStorage.setItem(KEY, value);
}

export function clearToken() {
  sessionStorage.removeItem(KEY);
}

/** Called once per 401: the app drops the token and shows the form again. */
export function onRefused(handler) {
  refusedHandler = handler;
}

export function refused() {
  refusedHandler();
}

export function authHeaders(extra = {}) {
  return {Authorization: `Bearer ${token()}`, ...extra};
}

/**
 * GET (or POST with a JSON body) to the node; the parsed JSON answer. A 401 throws Refused after
 * the app has been told; any other error status throws ApiError with the server's message (its
 * bodies are OpenAI-style {"error": {"message": ...}}).
 */
export async function api(path, {method = 'GET', body} = {}) {
  if (!token()) throw new Refused();
  const headers = authHeaders(body === undefined ? {} : {'Content-Type': 'application/json'});
  const response = await fetch(path, {
    method, headers, cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    refused();
    throw new Refused();
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  if (!response.ok) {
    const message = json && json.error && json.error.message;
    throw new ApiError(response.status, message || `${response.status} ${response.statusText}`);
  }
  return json;
}

export const enc = encodeURIComponent;
