// How values read on screen.

const LOGICAL_STATUS = {
  1: "approved",
  3: "alternative",
  5: "candidate",
  6: "provisional",
  7: "rejected (external)",
  8: "historical",
  9: "rejected (internal)",
};

export function logicalStatus(code) {
  if (code === null || code === undefined) return null;
  return LOGICAL_STATUS[code] ? `${code} (${LOGICAL_STATUS[code]})` : String(code);
}

/** A BS7666 SAO or PAO: "12A-14", "ROSE COTTAGE", "FLAT 2, 12" style. */
export function addressable(part) {
  if (!part) return null;
  let range = "";
  if (part.start_number !== null && part.start_number !== undefined) {
    range = `${part.start_number}${part.start_suffix ?? ""}`;
    if (part.end_number !== null && part.end_number !== undefined) {
      range += `-${part.end_number}${part.end_suffix ?? ""}`;
    }
  }
  const text = [part.text, range].filter(Boolean).join(" ");
  return text || null;
}

/** A source or review record on one line. */
export function recordLine(record) {
  if (!record) return "";
  return [
    record.organisation,
    addressable(record.sao),
    [addressable(record.pao), record.street].filter(Boolean).join(" "),
    record.locality,
    record.town,
    record.postcode,
  ]
    .filter(Boolean)
    .join(", ");
}

export function when(iso) {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function time(iso) {
  const text = when(iso);
  return text ? Object.assign(document.createElement("time"), { dateTime: iso, textContent: text }) : null;
}

export function score(value) {
  return value === null || value === undefined ? null : Number(value).toFixed(3);
}

export function metres(value) {
  if (value === null || value === undefined) return null;
  return value < 1000 ? `${Number(value).toFixed(1)} m` : `${(value / 1000).toFixed(2)} km`;
}

export function grid(location) {
  return location ? `${location.x.toFixed(2)}, ${location.y.toFixed(2)}` : null;
}

export function degrees(location) {
  return location ? `${location.lon.toFixed(6)}, ${location.lat.toFixed(6)}` : null;
}

/** Great-circle distance in metres between two {lat, lon} (for pairs the API gives none). */
export function distance(a, b) {
  if (!a || !b) return null;
  const r = 6371008.8;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const s =
    Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * r * Math.asin(Math.sqrt(s));
}
