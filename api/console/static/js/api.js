// The API, from the console: the key pasted at login goes with every request as X-API-Key, and
// an error is thrown as an ApiError carrying its problem document's `detail`.

const KEY = "nsai.apiKey";

export const key = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, detail, problem = null) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.problem = problem;
  }
}

/** Fetch `path` (relative to the console, e.g. "v1/search"); resolves to {data, response}. */
export async function request(path, { method = "GET", params, body, signal } = {}) {
  const url = new URL(path, document.baseURI);
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const headers = { Accept: "application/json" };
  const apiKey = key.get();
  if (apiKey) headers["X-API-Key"] = apiKey;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, `the API could not be reached (${error.message})`);
  }
  const type = response.headers.get("content-type") ?? "";
  const data = type.includes("json") ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    const detail = data?.detail ?? data?.title ?? `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, detail, data);
  }
  return { data, response };
}

/** Fetch `path` and resolve to its JSON body. */
export async function api(path, options) {
  return (await request(path, options)).data;
}

let config = null;

/** The deployment's console settings (the map's tile URL); none when it cannot be read. */
export function consoleConfig() {
  config ??= fetch(new URL("console/config.json", document.baseURI))
    .then((r) => (r.ok ? r.json() : {}))
    .catch(() => ({}));
  return config;
}
