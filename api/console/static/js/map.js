// A map of a few points and the outline of their area, with Leaflet (window.L, vendored).
// It needs no tile server: points and outline are SVG on a plain background. When the
// deployment sets NSAI_CONSOLE_TILE_URL the tiles are drawn beneath them.

import { consoleConfig } from "./api.js";
import { h } from "./dom.js";

const METRES_PER_DEGREE = 111_320;
const PAD_M = 25; // around one point, or a line of them, so the outline is an area

const STYLE = {
  main: { radius: 8, color: "#7a1f1f", fillColor: "#d64545", label: "National record" },
  source: { radius: 6, color: "#1d3f73", fillColor: "#4f86d6", label: "Source record" },
  a: { radius: 8, color: "#1d3f73", fillColor: "#4f86d6", label: "Record A" },
  b: { radius: 8, color: "#6b3d00", fillColor: "#f0a030", label: "Record B" },
  context: { radius: 3, color: "#555", fillColor: "#999", label: "Other addresses" },
};

function cross(o, a, b) {
  return (a.lon - o.lon) * (b.lat - o.lat) - (a.lat - o.lat) * (b.lon - o.lon);
}

/** The convex hull of points (monotone chain), counter-clockwise. */
export function hull(points) {
  const sorted = [...points].sort((p, q) => p.lon - q.lon || p.lat - q.lat);
  if (sorted.length < 3) return sorted;
  const lower = [];
  for (const p of sorted) {
    while (lower.length >= 2 && cross(lower.at(-2), lower.at(-1), p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper = [];
  for (const p of sorted.reverse()) {
    while (upper.length >= 2 && cross(upper.at(-2), upper.at(-1), p) <= 0) upper.pop();
    upper.push(p);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

/** The outline of the points' area: their hull, or a box around them when they span no area. */
function outline(points) {
  const ring = hull(points);
  if (ring.length >= 3) return ring;
  const lats = points.map((p) => p.lat);
  const lons = points.map((p) => p.lon);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const dLat = PAD_M / METRES_PER_DEGREE;
  const dLon = PAD_M / (METRES_PER_DEGREE * Math.cos((midLat * Math.PI) / 180));
  const [s, n] = [Math.min(...lats) - dLat, Math.max(...lats) + dLat];
  const [w, e] = [Math.min(...lons) - dLon, Math.max(...lons) + dLon];
  return [
    { lat: s, lon: w },
    { lat: s, lon: e },
    { lat: n, lon: e },
    { lat: n, lon: w },
  ];
}

/**
 * Draw `points` ([{lat, lon, kind, title}], kind one of STYLE's keys) into `container`, with the
 * outline of the area of `area` points (default: all of them). Returns the Leaflet map, or null
 * when there is nothing to draw. `link` ([a, b]) draws a line between two points.
 */
export async function drawMap(container, { points, area, link, label }) {
  const located = points.filter((p) => Number.isFinite(p?.lat) && Number.isFinite(p?.lon));
  container.replaceChildren();
  if (!located.length || !window.L) {
    container.append(h("p", { class: "map-empty" }, window.L ? "No location to show." : "The map library did not load."));
    return null;
  }
  const L = window.L;
  const config = await consoleConfig();
  const map = L.map(container, { maxZoom: 21, zoomSnap: 0.25, attributionControl: Boolean(config.tile_url) });
  container.setAttribute("role", "region");
  container.setAttribute("aria-label", label ?? "Map");
  if (config.tile_url) {
    L.tileLayer(config.tile_url, { maxZoom: 21, maxNativeZoom: 19, attribution: config.tile_attribution ?? "" }).addTo(map);
  }
  const ring = outline([...(area ?? []), ...located].filter((p) => Number.isFinite(p?.lat) && Number.isFinite(p?.lon)));
  const shape = L.polygon(
    ring.map((p) => [p.lat, p.lon]),
    { className: "nsai-outline", color: "#333", weight: 1.5, dashArray: "6 4", fillColor: "#fff", fillOpacity: 0.35, interactive: false },
  ).addTo(map);
  // The view first: a permanent label opens only on a map that has one.
  map.fitBounds(shape.getBounds(), { padding: [24, 24], maxZoom: 19 });
  if (link && link.every((p) => Number.isFinite(p?.lat))) {
    L.polyline(
      link.map((p) => [p.lat, p.lon]),
      { className: "nsai-link", color: "#333", weight: 2, dashArray: "2 4", interactive: false },
    ).addTo(map);
  }
  // Context first, so that the points that matter are drawn on top.
  const order = ["context", "source", "main", "a", "b"];
  for (const point of [...located].sort((p, q) => order.indexOf(p.kind) - order.indexOf(q.kind))) {
    const style = STYLE[point.kind] ?? STYLE.source;
    const marker = L.circleMarker([point.lat, point.lon], {
      radius: style.radius,
      color: style.color,
      weight: 2,
      fillColor: style.fillColor,
      fillOpacity: 0.9,
      className: `nsai-point nsai-point-${point.kind}`,
    }).addTo(map);
    // Tooltips are text nodes: Leaflet sets a string as innerHTML, and titles hold what
    // councils, lists and stewards wrote.
    if (point.kind === "a" || point.kind === "b") {
      marker.bindTooltip(h("span", {}, point.kind.toUpperCase()), { permanent: true, direction: "top", className: "nsai-pin-label" });
    } else if (point.title) {
      marker.bindTooltip(h("span", {}, point.title));
    }
  }
  L.control.scale({ imperial: false }).addTo(map);
  return map;
}

/** The legend under a map: what each kind of point is, as text. */
export function legend(kinds) {
  return h(
    "ul",
    { class: "legend" },
    kinds.map((kind) =>
      h("li", {}, h("span", { class: `swatch swatch-${kind}`, "aria-hidden": "true" }), STYLE[kind].label),
    ),
    h("li", {}, h("span", { class: "swatch swatch-outline", "aria-hidden": "true" }), "Outline of the area"),
  );
}
