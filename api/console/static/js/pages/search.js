// Search: suggestions as you type (GET /v1/autocomplete), ranked results on Enter
// (GET /v1/search). The input is an ARIA combobox: arrows move through the suggestions, Enter
// opens the one chosen (or searches), Escape closes them.

import { api } from "../api.js";
import { errorBox, fill, h, heading } from "../dom.js";
import { logicalStatus, score } from "../format.js";
import { hashFor, hashParams } from "../nav.js";

// What the API searches for (nsai/query/limits.py WORD_PATTERN): a word of three letters or digits.
const WORD = /[A-Za-z0-9](?:['.]*[A-Za-z0-9]){2}/;
const DEBOUNCE_MS = 150;

export async function searchPage(main, { signal }) {
  const initial = hashParams().get("q") ?? "";
  const input = h("input", {
    id: "q",
    name: "q",
    type: "search",
    value: initial,
    autocomplete: "off",
    spellcheck: "false",
    role: "combobox",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": "suggestions",
    "aria-describedby": "q-help",
    maxlength: "200",
  });
  const list = h("ul", { id: "suggestions", role: "listbox", "aria-label": "Suggestions", class: "suggestions", hidden: true });
  const results = h("section", { id: "results", "aria-live": "polite", "aria-label": "Results" });
  const form = h(
    "form",
    { role: "search", class: "search", onsubmit: (event) => { event.preventDefault(); choose(); } },
    h("label", { for: "q" }, "Address, postcode or UPRN"),
    h("div", { class: "combo" }, input, list),
    h("button", { type: "submit" }, "Search"),
    h("p", { id: "q-help", class: "hint" }, "Suggestions appear after three letters; Enter searches."),
  );
  fill(main, heading("Search"), form, results);

  let suggestions = [];
  let active = -1;
  let timer = null;
  let pending = null;

  function close() {
    suggestions = [];
    active = -1;
    list.hidden = true;
    fill(list);
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    active = index;
    for (const [i, option] of [...list.children].entries()) option.setAttribute("aria-selected", String(i === index));
    if (index >= 0) input.setAttribute("aria-activedescendant", `suggestion-${index}`);
    else input.removeAttribute("aria-activedescendant");
  }

  function open(items) {
    suggestions = items;
    active = -1;
    fill(
      list,
      items.map((item, i) =>
        h(
          "li",
          {
            id: `suggestion-${i}`,
            role: "option",
            "aria-selected": "false",
            dataset: { uprn: item.uprn },
            // mousedown, not click: the input keeps its focus.
            onmousedown: (event) => { event.preventDefault(); location.hash = `#/address/${item.uprn}`; },
          },
          item.single_line,
        ),
      ),
    );
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", String(items.length > 0));
  }

  async function suggest() {
    const q = input.value;
    pending?.abort();
    if (!WORD.test(q)) return close();
    pending = new AbortController();
    signal.addEventListener("abort", () => pending?.abort(), { once: true });
    try {
      const page = await api("v1/autocomplete", { params: { q, limit: 10 }, signal: pending.signal });
      if (input.value === q) open(page.data);
    } catch (error) {
      if (error.name !== "AbortError") close();
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && suggestions.length) {
      event.preventDefault();
      highlight((active + 1) % suggestions.length);
    } else if (event.key === "ArrowUp" && suggestions.length) {
      event.preventDefault();
      highlight(active <= 0 ? suggestions.length - 1 : active - 1);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));

  function choose() {
    clearTimeout(timer);
    pending?.abort();
    if (active >= 0 && suggestions[active]) {
      location.hash = `#/address/${suggestions[active].uprn}`;
      return;
    }
    close();
    const q = input.value.trim();
    if (/^\d{1,12}$/.test(q)) {
      location.hash = `#/address/${q}`;
      return;
    }
    // The query goes in the address bar (Back returns to it) without reloading the page.
    history.pushState(null, "", hashFor("/search", { q }));
    search(q);
  }

  async function search(q, cursor = null) {
    if (!WORD.test(q)) {
      fill(results, h("p", {}, "Type a word of at least three letters or digits to search for."));
      return;
    }
    try {
      const page = await api("v1/search", { params: { q, limit: 20, cursor }, signal });
      showResults(q, page, cursor !== null);
    } catch (error) {
      if (error.name !== "AbortError") fill(results, errorBox(error));
    }
  }

  function showResults(q, page, more) {
    let ol = results.querySelector("ol.results");
    if (!more || !ol) {
      ol = h("ol", { class: "results" });
      fill(results, h("h2", {}, page.data.length ? `Results for “${page.query}”` : `Nothing found for “${page.query}”`), ol);
    }
    results.querySelector("button.more")?.remove();
    for (const hit of page.data) {
      ol.append(
        h(
          "li",
          { dataset: { uprn: hit.uprn } },
          h("a", { href: `#/address/${hit.uprn}` }, hit.single_line),
          h("span", { class: "meta" },
            ` UPRN ${hit.uprn}`,
            hit.classification ? ` · ${hit.classification}` : "",
            hit.logical_status ? ` · ${logicalStatus(hit.logical_status)}` : "",
            ` · score ${score(hit.score)}`),
        ),
      );
    }
    if (page.next_cursor) {
      results.append(h("button", { type: "button", class: "more", onclick: () => search(q, page.next_cursor) }, "More results"));
    }
  }

  if (initial) await search(initial);
  input.focus();
}
