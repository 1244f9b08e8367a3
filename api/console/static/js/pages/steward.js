// A steward's corrections of one national record, on its address page (steward scope): merge
// another UPRN into it (POST /v1/steward/merge), retire it (/retire), split a source record out
// of it (/split, from the source's card), and the audit log of its operations with undo
// (GET /v1/steward/operations, POST /v1/steward/undo). Each needs a reason, kept in the log.
// After a change the page is drawn again from the API, with what was done at its top.

import { api } from "../api.js";
import { errorBox, fill, h } from "../dom.js";
import { time } from "../format.js";

const UPRN = /^[0-9]{1,12}$/;

/** The steward's panel for `address`; `reload(message)` draws the page again. */
export function stewardPanel(address, { signal, reload }) {
  const uprn = address.uprn;
  const reason = h("input", { id: "steward-reason", name: "reason", maxlength: 1000, size: 40 });
  const status = h("div", { id: "steward-status", "aria-live": "polite" });
  const operations = h("div", { id: "operations" }, h("p", {}, "Loading…"));

  async function run(path, body, done) {
    const text = reason.value.trim();
    if (!text) {
      fill(status, h("p", { class: "error", role: "alert" }, "Give a reason: it is kept in the audit log."));
      reason.focus();
      return;
    }
    try {
      const result = await api(`v1/steward/${path}`, { method: "POST", body: { ...body, reason: text }, signal });
      reload(done(result));
    } catch (error) {
      if (error.name !== "AbortError") fill(status, errorBox(error));
    }
  }

  const other = h("input", { id: "merge-uprn", name: "uprn", inputmode: "numeric", size: 14, required: true });
  const merge = h(
    "form",
    {
      class: "inline",
      "aria-label": "Merge another record into this one",
      onsubmit: (event) => {
        event.preventDefault();
        const merged = other.value.trim();
        if (!UPRN.test(merged)) {
          fill(status, h("p", { class: "error", role: "alert" }, "A UPRN is a whole number of up to 12 digits."));
          other.focus();
          return;
        }
        run("merge", { uprn: Number(merged), into: uprn, versions: { [uprn]: address.version } },
          (done) => `Merged: UPRN ${merged} now resolves to this record (operation ${done.operation_id}).`);
      },
    },
    h("label", { for: "merge-uprn" }, "Merge UPRN"), other, h("button", { type: "submit" }, "Merge into this record"),
  );
  const retire = h("button", {
    type: "button",
    class: "reject",
    disabled: address.status !== "active",
    onclick: () => run("retire", { uprn }, (done) => `Retired (operation ${done.operation_id}).`),
  }, "Retire this record");

  const panel = h("section", { id: "steward", "aria-labelledby": "steward-title" },
    h("h2", { id: "steward-title" }, "Steward"),
    h("div", { class: "field" }, h("label", { for: "steward-reason" }, "Reason"), reason),
    merge,
    h("div", { class: "buttons" }, retire),
    status,
    h("h3", {}, "Operations on this record"),
    operations);

  loadOperations(operations, uprn, signal, (operation) =>
    run("undo", { operation_id: operation.operation_id },
      (done) => `Operation ${operation.operation_id} undone (operation ${done.operation_id}).`));

  /** A button on a source record's card: split it out of this record, to a new UPRN. */
  function splitButton(record) {
    return h("button", {
      type: "button",
      class: "defer",
      "aria-label": `Split ${record.source} ${record.source_ref} out to a new record`,
      onclick: () => run("split", { source: record.source, source_ref: record.source_ref },
        (done) => `Split: ${record.source} ${record.source_ref} is now UPRN ${done.uprns.find((u) => u !== uprn) ?? "?"} (operation ${done.operation_id}).`),
    }, "Split out");
  }

  return { panel, splitButton };
}

async function loadOperations(box, uprn, signal, undo) {
  let log;
  try {
    log = await api("v1/steward/operations", { params: { uprn, limit: 50 }, signal });
  } catch (error) {
    if (error.name !== "AbortError") fill(box, errorBox(error));
    return;
  }
  if (!log.data.length) {
    fill(box, h("p", {}, "No steward has changed this record."));
    return;
  }
  fill(box, h("ol", { class: "operations" }, log.data.map((operation) =>
    h("li", { dataset: { operationId: operation.operation_id } },
      h("span", { class: `badge ${operation.kind}` }, operation.kind),
      ` #${operation.operation_id} · `,
      time(operation.created_at),
      ` · by ${operation.actor}`,
      operation.reason ? ` · “${operation.reason}”` : null,
      operation.undone_by ? h("span", { class: "meta" }, ` · undone by #${operation.undone_by}`) : null,
      operation.undone_by || operation.kind === "undo"
        ? null
        : [" ", h("button", { type: "button", class: "link", onclick: () => undo(operation), "aria-label": `Undo operation ${operation.operation_id}` }, "Undo")]))));
}
