// The hash routes' query parameters.

/** The current route's query parameters (after `?` in the hash). */
export function hashParams() {
  const at = location.hash.indexOf("?");
  return new URLSearchParams(at >= 0 ? location.hash.slice(at + 1) : "");
}

/** The hash of `path` with `params` (empty ones left out). */
export function hashFor(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v !== null && v !== undefined));
  const text = query.toString();
  return `#${path}${text ? `?${text}` : ""}`;
}
