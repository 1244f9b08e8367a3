// A score's explanation: each comparison, the level the two records agreed at, and its
// contribution in bits (drawn as a bar, for or against).

import { h } from "./dom.js";

export function explanationTable(explanation, caption = "Each comparison's contribution") {
  const rows = Object.entries(explanation ?? {}).sort(([, a], [, b]) => Math.abs(b.bits) - Math.abs(a.bits));
  if (!rows.length) return h("p", { class: "hint" }, "No comparison behind this link.");
  const widest = Math.max(...rows.map(([, c]) => Math.abs(c.bits)), 1);
  return h(
    "table",
    { class: "explanation" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Comparison"), h("th", { scope: "col" }, "Level"),
      h("th", { scope: "col" }, "Bits"), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "For or against")))),
    h(
      "tbody",
      {},
      rows.map(([name, { level, bits }]) =>
        h(
          "tr",
          { dataset: { comparison: name } },
          h("th", { scope: "row" }, name),
          h("td", {}, level),
          h("td", { class: "num" }, `${bits > 0 ? "+" : ""}${Number(bits).toFixed(2)}`),
          h("td", { class: "bar-cell", "aria-hidden": "true" },
            h("span", { class: `bar ${bits < 0 ? "against" : "for"}`, style: `width: ${(50 * Math.abs(bits)) / widest}%` })),
        ),
      ),
    ),
  );
}
