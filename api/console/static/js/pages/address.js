// One national record: its details (GET /v1/addresses/{uprn}), its source records
// (/sources), its history (/history) and a map of it, its sources and its postcode; for a
// steward, the corrections of it (./steward.js).

import { api, request } from "../api.js";
import { dl, errorBox, fill, h, heading } from "../dom.js";
import { explanationTable } from "../explain.js";
import { addressable, degrees, grid, logicalStatus, score, time } from "../format.js";
import { drawMap, legend } from "../map.js";
import { stewardPanel } from "./steward.js";

const uprnLink = (uprn) => (uprn ? h("a", { href: `#/address/${uprn}` }, String(uprn)) : null);

function details(address) {
  return dl(
    [
      ["UPRN", String(address.uprn)],
      ["Status", address.status],
      ["Organisation", address.organisation],
      ["Secondary (SAO)", addressable(address.sao)],
      ["Primary (PAO)", addressable(address.pao)],
      ["Street", address.street],
      ["Locality", address.locality],
      ["Town", address.town],
      ["Postcode", address.postcode],
      ["USRN", address.usrn === null ? null : String(address.usrn)],
      ["Parent UPRN", uprnLink(address.parent_uprn)],
      ["Classification", address.classification],
      ["Logical status", logicalStatus(address.logical_status)],
      ["Council", address.custodian ? `${address.custodian.name} (${address.custodian.code})` : null],
      ["Easting, northing (EPSG:27700)", grid(address.location)],
      ["Longitude, latitude (WGS84)", degrees(address.location)],
      ["Source records", String(address.source_count)],
      ["Version", String(address.version)],
      ["Last changed", time(address.last_changed)],
    ],
    { id: "details" },
  );
}

function sourceCard(record, action = null) {
  return h(
    "article",
    { class: "card source", dataset: { recordId: record.record_id } },
    h("h3", {}, `${record.source} · ${record.source_ref}`),
    h("p", { class: "meta" },
      h("span", { class: `badge ${record.decision}` }, record.decision),
      record.score === null ? "" : ` score ${score(record.score)}`,
      record.removed ? h("span", { class: "badge removed" }, "no longer in its source") : ""),
    dl([
      ["Source UPRN", record.source_uprn === null ? null : String(record.source_uprn)],
      ["Organisation", record.organisation],
      ["SAO", addressable(record.sao)],
      ["PAO", addressable(record.pao)],
      ["Street", record.street],
      ["Locality", record.locality],
      ["Town", record.town],
      ["Postcode", record.postcode],
      ["As given", record.raw_address],
      ["Classification", record.classification],
      ["Logical status", logicalStatus(record.logical_status)],
      ["EPSG:27700", grid(record.location)],
      ["WGS84", degrees(record.location)],
      ["Loaded", time(record.loaded_at)],
      ["Linked", time(record.linked_at)],
    ]),
    Object.keys(record.explanation).length
      ? h("details", {}, h("summary", {}, "Why it is linked"), explanationTable(record.explanation))
      : null,
    action,
  );
}

function eventItem(event, uprn) {
  // The record's own event, or another record's that names it (merged into it, split from it).
  let related = null;
  if (event.uprn !== uprn) {
    related = { merged: [": ", uprnLink(event.uprn), " merged into this record"], split: [": split from ", uprnLink(event.uprn)] }[event.kind]
      ?? [" of ", uprnLink(event.uprn)];
  } else if (event.related_uprn) {
    related = [{ merged: " into ", split: ": new record " }[event.kind] ?? " with ", uprnLink(event.related_uprn)];
  }
  const state = Object.keys(event.state ?? {}).length
    ? h("details", {}, h("summary", {}, "State"), h("pre", {}, JSON.stringify(event.state, null, 2)))
    : null;
  return h(
    "li",
    { dataset: { eventId: event.event_id } },
    time(event.occurred_at),
    " ",
    h("span", { class: `badge ${event.kind}` }, event.kind),
    related,
    h("span", { class: "meta" }, ` · ${event.cause} · by ${event.actor}`),
    state,
  );
}

export async function addressPage(main, { args: [asked], signal, session, reload, note }) {
  const { data: address } = await request(`v1/addresses/${asked}`, { signal });
  const uprn = address.uprn;
  const notes = note ? [h("p", { class: "ok", role: "status", id: "done" }, note)] : [];
  if (String(uprn) !== asked) {
    // A merged-away UPRN or an alias: the API answered 301 and fetch followed it.
    history.replaceState(null, "", `#/address/${uprn}`);
    notes.push(h("p", { class: "note", role: "status" }, `UPRN ${asked} resolves to UPRN ${uprn}; showing it.`));
  }
  const mapBox = h("div", { id: "map", class: "map" });
  const sources = h("section", { id: "sources", "aria-labelledby": "sources-title" },
    h("h2", { id: "sources-title" }, "Source records"), h("p", {}, "Loading…"));
  const events = h("ol", { class: "history" });
  const historySection = h("section", { id: "history", "aria-labelledby": "history-title" },
    h("h2", { id: "history-title" }, "History"), events);
  const steward = session.has("steward") ? stewardPanel(address, { signal, reload }) : null;
  fill(
    main,
    heading(address.single_line),
    notes,
    h("div", { class: "columns" },
      h("section", { "aria-labelledby": "details-title" }, h("h2", { id: "details-title" }, "Details"), details(address)),
      h("section", { "aria-labelledby": "map-title" }, h("h2", { id: "map-title" }, "Map"), mapBox,
        legend(["main", "source", "context"]))),
    sources,
    historySection,
    steward?.panel,
  );

  const [linked, postcode] = await Promise.all([
    api(`v1/addresses/${uprn}/sources`, { signal }).catch((error) => error),
    address.postcode
      ? api(`v1/postcodes/${encodeURIComponent(address.postcode)}/addresses`, { params: { limit: 500 }, signal }).catch(() => null)
      : null,
  ]);
  if (signal.aborted) return;

  if (linked instanceof Error) {
    fill(sources, h("h2", { id: "sources-title" }, "Source records"), errorBox(linked));
  } else {
    // A record of one source record has nothing to split it from.
    const split = steward && linked.data.length > 1 ? steward.splitButton : () => null;
    fill(sources, h("h2", { id: "sources-title" }, `Source records (${linked.data.length})`),
      h("div", { class: "cards" }, linked.data.map((record) => sourceCard(record, split(record)))));
  }

  const neighbours = (postcode?.data ?? []).filter((a) => a.uprn !== uprn && a.location);
  const points = [
    ...neighbours.map((a) => ({ ...a.location, kind: "context", title: a.single_line })),
    ...(linked instanceof Error ? [] : linked.data)
      .filter((r) => r.location)
      .map((r) => ({ ...r.location, kind: "source", title: `${r.source} ${r.source_ref}` })),
    ...(address.location ? [{ ...address.location, kind: "main", title: address.single_line }] : []),
  ];
  await drawMap(mapBox, {
    points,
    label: `Map of ${address.single_line}${address.postcode ? ` and postcode ${address.postcode}` : ""}`,
  });

  await loadHistory(events, historySection, uprn, null, signal);
}

async function loadHistory(list, section, uprn, cursor, signal) {
  section.querySelector("button.more")?.remove();
  try {
    const page = await api(`v1/addresses/${uprn}/history`, { params: { limit: 50, cursor }, signal });
    list.append(...page.data.map((event) => eventItem(event, uprn)));
    if (!list.children.length) section.append(h("p", {}, "No changes recorded."));
    if (page.next_cursor) {
      section.append(h("button", { type: "button", class: "more", onclick: () => loadHistory(list, section, uprn, page.next_cursor, signal) }, "Older events"));
    }
  } catch (error) {
    if (error.name !== "AbortError") section.append(errorBox(error));
  }
}
