// Elements are built, never parsed from strings: whatever the API returns is shown as text.

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** h("a", {href: "#/x", class: "c", onclick: fn}, "text", childNode, ...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      el.className = value;
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Replace an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const DASH = "—";

/** A description list of [term, value] pairs; an empty value shows as a dash. */
export function dl(pairs, attrs = {}) {
  return h(
    "dl",
    { class: "fields", ...attrs },
    pairs.map(([term, value]) => [
      h("dt", {}, term),
      h("dd", {}, value === null || value === undefined || value === "" ? DASH : value),
    ]),
  );
}

/** An alert box for an error (its problem detail), announced to screen readers. */
export function errorBox(error) {
  return h("p", { class: "error", role: "alert" }, describe(error));
}

export function describe(error) {
  return error?.detail ?? error?.message ?? String(error);
}

/** The page's heading, focused so that keyboard and screen-reader users land on it. */
export function heading(text) {
  return h("h1", { tabindex: "-1", class: "page-title" }, text);
}
