-- The change feed: every event after %(since)s (an event id), in order.

-- name: changes
SELECT event_id, uprn, kind, related_uprn, occurred_at, state
FROM change_event
WHERE event_id > %(since)s
ORDER BY event_id
LIMIT %(limit)s;
