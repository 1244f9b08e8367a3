// The review queue (steward scope): the pairs the matcher was unsure of, filtered and counted
// (GET /v1/review), one pair side by side with its score's explanation and a map
// (GET /v1/review/{id}), and the decision (POST /v1/review/{id}/decision).

import { api } from "../api.js";
import { errorBox, fill, h, heading } from "../dom.js";
import { explanationTable } from "../explain.js";
import { addressable, degrees, grid, logicalStatus, metres, recordLine, score } from "../format.js";
import { drawMap, legend } from "../map.js";
import { hashFor, hashParams } from "../nav.js";

const STATUSES = ["open", "deferred", "accepted", "rejected"];
const FILTERS = ["status", "source", "custodian", "postcode_area", "min_score", "max_score"];
const PAGE = 50;

function field(name, label, input) {
  return h("div", { class: "field" }, h("label", { for: `f-${name}` }, label), input);
}

function filterForm(params) {
  const value = (name) => params.get(name) ?? "";
  const status = h("select", { id: "f-status", name: "status" },
    STATUSES.map((s) => h("option", { value: s, selected: (value("status") || "open") === s }, s)));
  const form = h(
    "form",
    {
      class: "filters",
      "aria-label": "Filter the queue",
      onsubmit: (event) => {
        event.preventDefault();
        const data = new FormData(form);
        location.hash = hashFor("/review", Object.fromEntries(FILTERS.map((f) => [f, String(data.get(f) ?? "").trim()])));
      },
    },
    field("status", "Status", status),
    field("source", "Source", h("input", { id: "f-source", name: "source", value: value("source"), size: 12 })),
    field("custodian", "Council code", h("input", { id: "f-custodian", name: "custodian", value: value("custodian"), inputmode: "numeric", pattern: "[0-9]{1,4}", size: 5 })),
    field("postcode_area", "Postcode area", h("input", { id: "f-postcode_area", name: "postcode_area", value: value("postcode_area"), pattern: "[A-Za-z]{1,2}", size: 3 })),
    field("min_score", "Score from", h("input", { id: "f-min_score", name: "min_score", type: "number", min: 0, max: 1, step: 0.01, value: value("min_score") })),
    field("max_score", "to", h("input", { id: "f-max_score", name: "max_score", type: "number", min: 0, max: 1, step: 0.01, value: value("max_score") })),
    h("button", { type: "submit" }, "Filter"),
  );
  return form;
}

export async function reviewListPage(main, { signal }) {
  const params = hashParams();
  const query = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ""]));
  query.status ||= "open";
  const counts = h("p", { id: "review-counts", class: "counts", "aria-live": "polite" });
  const body = h("tbody");
  const table = h(
    "table",
    { class: "queue" },
    h("caption", { class: "visually-hidden" }, "Review items"),
    h("thead", {}, h("tr", {},
      ["Item", "Score", "Distance", "Record A", "Record B", "Status"].map((t) => h("th", { scope: "col" }, t)))),
    body,
  );
  const more = h("div");
  fill(main, heading("Review queue"), filterForm(params), counts, table, more);

  async function load(cursor) {
    fill(more);
    try {
      const page = await api("v1/review", { params: { ...query, limit: PAGE, cursor }, signal });
      fill(counts, `Open: ${page.counts?.open ?? "?"} · Deferred: ${page.counts?.deferred ?? "?"}`);
      for (const item of page.data) {
        body.append(
          h("tr", { dataset: { reviewId: item.review_id } },
            h("td", {}, h("a", { href: `#/review/${item.review_id}` }, `#${item.review_id}`)),
            h("td", { class: "num" }, score(item.score)),
            h("td", { class: "num" }, metres(item.distance_m) ?? "—"),
            h("td", {}, recordLine(item.record_a), h("span", { class: "meta" }, ` (${item.record_a?.source ?? ""})`)),
            h("td", {}, recordLine(item.record_b), h("span", { class: "meta" }, ` (${item.record_b?.source ?? ""})`)),
            h("td", {}, h("span", { class: `badge ${item.status}` }, item.status))),
        );
      }
      if (!body.children.length) body.append(h("tr", {}, h("td", { colspan: 6 }, "Nothing in the queue with these filters.")));
      if (page.next_cursor) {
        fill(more, h("button", { type: "button", class: "more", onclick: () => load(page.next_cursor) }, "More items"));
      }
    } catch (error) {
      if (error.name !== "AbortError") fill(more, errorBox(error));
    }
  }
  await load(null);
}

const ROWS = [
  ["Source", (r) => r.source],
  ["Source reference", (r) => r.source_ref],
  ["National UPRN", (r) => (r.uprn ? h("a", { href: `#/address/${r.uprn}` }, String(r.uprn)) : null)],
  ["Organisation", (r) => r.organisation],
  ["SAO", (r) => addressable(r.sao)],
  ["PAO", (r) => addressable(r.pao)],
  ["Street", (r) => r.street],
  ["Locality", (r) => r.locality],
  ["Town", (r) => r.town],
  ["Postcode", (r) => r.postcode],
  ["Classification", (r) => r.classification],
  ["Logical status", (r) => logicalStatus(r.logical_status)],
  ["EPSG:27700", (r) => grid(r.location)],
  ["WGS84", (r) => degrees(r.location)],
];

function text(value) {
  return value instanceof Node ? value.textContent : (value ?? "");
}

function sideBySide(a, b) {
  return h(
    "table",
    { class: "pair", id: "pair" },
    h("caption", {}, "The two records side by side; rows that differ are marked"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Part"), h("th", { scope: "col" }, "Record A"), h("th", { scope: "col" }, "Record B"))),
    h(
      "tbody",
      {},
      ROWS.map(([label, get]) => {
        const [va, vb] = [get(a), get(b)];
        const differs = label !== "National UPRN" && text(va) !== text(vb);
        return h("tr", { class: differs ? "differs" : null },
          h("th", { scope: "row" }, label, differs ? h("span", { class: "visually-hidden" }, " (differs)") : null),
          h("td", {}, va ?? "—"),
          h("td", {}, vb ?? "—"));
      }),
    ),
  );
}

export async function reviewItemPage(main, { args: [id], signal }) {
  const item = await api(`v1/review/${id}`, { signal });
  renderItem(main, item, signal, null);
}

function renderItem(main, item, signal, outcome) {
  const decidable = item.status === "open" || item.status === "deferred";
  const mapBox = h("div", { id: "map", class: "map" });
  const status = h("div", { id: "decision-status", "aria-live": "polite" }, outcome);
  const reason = h("textarea", { id: "reason", name: "reason", rows: 2, maxlength: 1000 });
  const buttons = [
    ["accept", "Accept: one property"],
    ["reject", "Reject: keep apart"],
    ["defer", "Defer"],
  ].map(([decision, label]) =>
    h("button", { type: "button", class: `decide ${decision}`, "data-decision": decision, disabled: !decidable, onclick: () => decide(decision) }, label));

  async function decide(decision) {
    for (const b of buttons) b.disabled = true;
    fill(status, h("p", { role: "status" }, "Sending…"));
    try {
      const answer = await api(`v1/review/${item.review_id}/decision`, {
        method: "POST",
        body: { decision, version: item.version, reason: reason.value.trim() || null },
        signal,
      });
      const review = answer.review ?? item;
      renderItem(main, review, signal,
        h("p", { class: "ok", role: "status" }, `Decision recorded: ${decision} (operation ${answer.operation_id}). The item is now ${review.status}.`));
    } catch (error) {
      if (error.name === "AbortError") return;
      fill(status, errorBox(error),
        error.status === 409 ? h("p", {}, h("a", { href: `#/review/${item.review_id}`, onclick: reload }, "Reload the item")) : null);
      for (const b of buttons) b.disabled = !decidable;
    }
  }

  function reload(event) {
    event.preventDefault();
    // The same hash: hashchange would not fire, so render again here.
    reviewItemPage(main, { args: [String(item.review_id)], signal }).catch((error) => main.append(errorBox(error)));
  }

  const a = item.record_a;
  const b = item.record_b;
  fill(
    main,
    heading(`Review item #${item.review_id}`),
    h("p", { class: "meta" }, h("a", { href: "#/review" }, "← Review queue")),
    h("dl", { class: "summary" },
      h("dt", {}, "Status"), h("dd", { id: "review-status" }, h("span", { class: `badge ${item.status}` }, item.status)),
      h("dt", {}, "Score"), h("dd", { id: "review-score" }, score(item.score)),
      h("dt", {}, "Distance"), h("dd", { id: "review-distance" }, metres(item.distance_m) ?? "no location"),
      h("dt", {}, "Version"), h("dd", {}, String(item.version))),
    h("div", { class: "columns" },
      sideBySide(a, b),
      h("section", { "aria-labelledby": "map-title" }, h("h2", { id: "map-title" }, "Map"), mapBox, legend(["a", "b"]))),
    explanationTable(item.explanation, "Each comparison's contribution to the score"),
    h("section", { class: "card decision", "aria-labelledby": "decision-title" },
      h("h2", { id: "decision-title" }, "Decision"),
      decidable ? null : h("p", {}, `Already decided: ${item.status}.`),
      h("label", { for: "reason" }, "Reason (optional)"),
      reason,
      h("div", { class: "buttons" }, buttons),
      status),
  );
  const points = [
    a?.location ? { ...a.location, kind: "a", title: `A: ${recordLine(a)}` } : null,
    b?.location ? { ...b.location, kind: "b", title: `B: ${recordLine(b)}` } : null,
  ].filter(Boolean);
  drawMap(mapBox, { points, link: points.length === 2 ? points : null, label: "Map of the two records" });
}
