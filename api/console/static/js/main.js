// The console: hash routes, one page at a time. Each page gets an AbortSignal that fires when
// the user leaves it, so its requests and polling stop.

import { ApiError, api, key } from "./api.js";
import { errorBox, fill, h } from "./dom.js";
import { addressPage } from "./pages/address.js";
import { jobsPage } from "./pages/jobs.js";
import { loginPage } from "./pages/login.js";
import { reviewItemPage, reviewListPage } from "./pages/review.js";
import { searchPage } from "./pages/search.js";

const ROUTES = [
  [/^#\/login$/, loginPage],
  [/^#\/search$/, searchPage],
  [/^#\/address\/(\d{1,12})$/, addressPage],
  [/^#\/review$/, reviewListPage],
  [/^#\/review\/(\d{1,18})$/, reviewItemPage],
  [/^#\/jobs$/, jobsPage],
];

/** Who the console calls the API as: {key, scopes} from GET /v1/whoami, or null. */
export const session = {
  caller: null,
  async refresh() {
    try {
      this.caller = await api("v1/whoami");
    } catch (error) {
      this.caller = null;
      throw error;
    }
    showCaller();
    return this.caller;
  },
  has(scope) {
    return Boolean(this.caller?.scopes?.includes(scope));
  },
  signOut() {
    key.clear();
    this.caller = null;
    showCaller();
  },
};

function showCaller() {
  const who = document.getElementById("who");
  const caller = session.caller;
  if (!caller) {
    fill(who, h("a", { href: "#/login" }, "Sign in with an API key"));
    return;
  }
  fill(
    who,
    caller.key ? ["Signed in as ", h("strong", {}, caller.key)] : "Anonymous reads",
    ` (${caller.scopes.join(", ") || "no scopes"}) `,
    caller.key
      ? h("button", { type: "button", class: "link", onclick: () => { session.signOut(); location.hash = "#/login"; } }, "Sign out")
      : null,
  );
}

let current = null;
let done = null; // what a steward's change did, shown at the top of the page drawn after it

/** Draw the current page again from the API, `message` at its top. */
function reload(message) {
  done = message;
  route();
}

async function route() {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const main = document.getElementById("main");
  const hash = location.hash || "#/search";
  const path = hash.split("?")[0];
  for (const link of document.querySelectorAll("nav a")) {
    const active = path.startsWith(link.getAttribute("href"));
    if (active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const found = ROUTES.map(([pattern, page]) => [path.match(pattern), page]).find(([m]) => m);
  fill(main);
  main.setAttribute("aria-busy", "true");
  try {
    if (!found) {
      fill(main, h("h1", {}, "Not found"), h("p", {}, "No such page. ", h("a", { href: "#/search" }, "Search")));
      return;
    }
    const [match, page] = found;
    const note = done;
    done = null;
    await page(main, { args: match.slice(1), signal: controller.signal, session, reload, note });
  } catch (error) {
    if (error.name === "AbortError") return;
    main.append(errorBox(error));
    if (error instanceof ApiError && error.status === 401) {
      main.append(h("p", {}, h("a", { href: "#/login" }, "Sign in with an API key")));
    }
  } finally {
    if (current === controller) {
      main.removeAttribute("aria-busy");
      // Land on the page's heading, unless the page put the focus somewhere (a search box).
      if (!main.contains(document.activeElement)) main.querySelector(".page-title")?.focus();
    }
  }
}

async function start() {
  try {
    await session.refresh();
  } catch {
    showCaller();
    if (!location.hash || location.hash === "#/") location.hash = "#/login";
  }
  window.addEventListener("hashchange", route);
  await route();
}

start();
