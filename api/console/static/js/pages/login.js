// Sign in: paste an API key (steward or read). It is kept in this tab's sessionStorage only and
// checked with GET /v1/whoami.

import { key } from "../api.js";
import { errorBox, fill, h, heading } from "../dom.js";

export async function loginPage(main, { session }) {
  const status = h("div", { id: "login-status", "aria-live": "polite" });
  const input = h("input", {
    id: "api-key",
    name: "api-key",
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
    "aria-describedby": "api-key-help",
  });
  const form = h(
    "form",
    { class: "card", onsubmit: submit },
    h("label", { for: "api-key" }, "API key"),
    input,
    h("p", { id: "api-key-help", class: "hint" }, "A key made with ", h("code", {}, "nsai keys create"),
      " (scopes read, or read and steward). It is kept in this browser tab only, until you sign out or close it."),
    h("button", { type: "submit" }, "Sign in"),
  );

  function showCaller(caller) {
    fill(
      status,
      h("p", { class: "ok", role: "status" },
        caller.key ? ["Signed in as ", h("strong", { id: "caller-name" }, caller.key)] : "Reads are open without a key",
        " with scopes ", h("span", { id: "caller-scopes" }, caller.scopes.join(", ") || "none"), "."),
      h("p", {}, h("a", { href: "#/search" }, "Search addresses"),
        session.has("steward") ? [" · ", h("a", { href: "#/review" }, "Review queue"), " · ", h("a", { href: "#/jobs" }, "Jobs")] : null),
    );
  }

  async function submit(event) {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) return;
    key.set(value);
    fill(status);
    try {
      showCaller(await session.refresh());
      input.value = "";
    } catch (error) {
      session.signOut();
      fill(status, errorBox(error));
      input.focus();
    }
  }

  fill(main, heading("API key"), form, status);
  if (session.caller) showCaller(session.caller);
}
