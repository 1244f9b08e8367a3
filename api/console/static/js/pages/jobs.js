// Reconciliation jobs (steward scope): past runs and their reports (GET /v1/jobs), start one
// (POST /v1/jobs; one at a time, a 409 names the running one), cancel the running one
// (POST /v1/jobs/{id}/cancel). The list is polled while a job runs.

import { api } from "../api.js";
import { errorBox, fill, h, heading } from "../dom.js";
import { time } from "../format.js";

const POLL_MS = 2000;

function duration(run) {
  if (!run.started_at) return null;
  const end = run.finished_at ? new Date(run.finished_at) : new Date();
  const seconds = Math.max(0, (end - new Date(run.started_at)) / 1000);
  return seconds < 120 ? `${seconds.toFixed(0)} s` : `${(seconds / 60).toFixed(1)} min`;
}

export async function jobsPage(main, { signal }) {
  const message = h("div", { id: "jobs-status", "aria-live": "polite" });
  const workers = h("input", { id: "workers", name: "workers", type: "number", min: 1, max: 8, value: 2, required: true });
  const start = h("button", { type: "submit" }, "Start a job");
  const body = h("tbody");
  fill(
    main,
    heading("Reconciliation jobs"),
    h("form", { class: "card inline", onsubmit: submit },
      h("label", { for: "workers" }, "Workers"), workers, start),
    message,
    h("table", { class: "jobs" },
      h("caption", { class: "visually-hidden" }, "Jobs, newest first"),
      h("thead", {}, h("tr", {}, ["Run", "Status", "Stage", "Started", "Finished", "Took", "Report", ""].map((t) => h("th", { scope: "col" }, t)))),
      body),
  );

  let timer = null;
  signal.addEventListener("abort", () => clearTimeout(timer), { once: true });

  async function submit(event) {
    event.preventDefault();
    start.disabled = true;
    try {
      const run = await api("v1/jobs", { method: "POST", body: { workers: Number(workers.value) }, signal });
      fill(message, h("p", { class: "ok", role: "status" }, `Job ${run.run_id} started.`));
    } catch (error) {
      if (error.name !== "AbortError") fill(message, errorBox(error));
    } finally {
      start.disabled = false;
    }
    await refresh();
  }

  async function cancel(run) {
    try {
      await api(`v1/jobs/${run.run_id}/cancel`, { method: "POST", signal });
      fill(message, h("p", { role: "status" }, `Cancelling job ${run.run_id}…`));
    } catch (error) {
      if (error.name !== "AbortError") fill(message, errorBox(error));
    }
    await refresh();
  }

  async function refresh() {
    clearTimeout(timer);
    if (signal.aborted) return;
    let page;
    try {
      page = await api("v1/jobs", { signal });
    } catch (error) {
      if (error.name !== "AbortError") fill(message, errorBox(error));
      return;
    }
    fill(
      body,
      page.data.length ? null : h("tr", {}, h("td", { colspan: 8 }, "No job has run yet.")),
      page.data.map((run) =>
        h("tr", { dataset: { runId: run.run_id } },
          h("td", { class: "num" }, String(run.run_id)),
          h("td", {}, h("span", { class: `badge ${run.status}` }, run.status)),
          h("td", {}, run.stage ?? "—"),
          h("td", {}, time(run.started_at) ?? "—"),
          h("td", {}, time(run.finished_at) ?? "—"),
          h("td", {}, duration(run) ?? "—"),
          h("td", {}, run.report && Object.keys(run.report).length
            ? h("details", {}, h("summary", {}, "Report"), h("pre", {}, JSON.stringify(run.report, null, 2)))
            : "—"),
          h("td", {}, run.status === "running"
            ? h("button", { type: "button", onclick: () => cancel(run), "aria-label": `Cancel job ${run.run_id}` }, "Cancel")
            : null)),
      ),
    );
    if (page.data.some((run) => run.status === "running")) timer = setTimeout(refresh, POLL_MS);
  }

  await refresh();
}
