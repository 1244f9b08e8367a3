-- Where a national record comes from and what happened to it: its linked source records, and
-- its change events. Parameter: %(uprn)s.

-- name: status
-- The record's status ('active', 'retired', 'merged'); no row: not a national record's UPRN.
SELECT status FROM national_address WHERE uprn = %(uprn)s;

-- name: sources
-- Every source record linked to the national record, as loaded, with the link that put it there.
SELECT r.record_id, s.name AS source, r.source_ref, r.uprn AS source_uprn, r.parent_uprn,
       r.usrn, r.organisation,
       r.sao_start_number, r.sao_start_suffix, r.sao_end_number, r.sao_end_suffix, r.sao_text,
       r.pao_start_number, r.pao_start_suffix, r.pao_end_number, r.pao_end_suffix, r.pao_text,
       r.street, r.locality, r.town, r.postcode, r.raw_address, r.classification,
       r.logical_status, r.blpu_state, r.rpc, r.custodian_code,
       ST_X(r.geom) AS x, ST_Y(r.geom) AS y, r.loaded_at, r.removed_batch_id IS NOT NULL AS removed,
       l.score, l.decision, l.explanation, l.linked_at
FROM address_link l
JOIN source_record r ON r.record_id = l.record_id
JOIN source s ON s.source_id = r.source_id
WHERE l.uprn = %(uprn)s
ORDER BY s.priority, s.name, r.source_ref, r.record_id;

-- name: history
-- The events of the record, and those naming it (a record merged into it, split from it), newest
-- first, before the event %(before)s.
SELECT event_id, uprn, kind, related_uprn, occurred_at, cause, actor, state
FROM change_event
WHERE (uprn = %(uprn)s OR related_uprn = %(uprn)s) AND event_id < %(before)s
ORDER BY event_id DESC
LIMIT %(limit)s;
