-- Stewards' operations (nsai/steward/): what they read, the rows they touch as they were and as
-- they left them, and putting those rows back when an operation is undone.

-- name: lock
-- The publishing lock a run's publishing holds too (nsai/match/job.py PUBLISH_LOCK_KEY).
SELECT pg_advisory_xact_lock(%(key)s);

-- name: next_operation
SELECT nextval('steward_operation_seq');

-- name: national_for_update
SELECT uprn, status, successor_uprn, version FROM national_address
WHERE uprn = ANY(%(uprns)s::bigint[]) ORDER BY uprn FOR UPDATE;

-- name: links
-- The current records of the given national records, each with its source and source_ref.
SELECT l.uprn, l.record_id, r.source_id, r.source_ref
FROM address_link l JOIN source_record r USING (record_id)
WHERE l.uprn = ANY(%(uprns)s::bigint[])
ORDER BY l.uprn, l.record_id;

-- name: record
-- A current source record by source name and source_ref, with its national UPRN.
SELECT r.record_id, l.uprn
FROM source_record r JOIN source s USING (source_id)
LEFT JOIN address_link l USING (record_id)
WHERE s.name = %(source)s AND r.source_ref = %(ref)s AND r.removed_batch_id IS NULL;

-- name: rejected_among
SELECT record_a, record_b FROM match_decision
WHERE decision = 'reject'
  AND record_a = ANY(%(records)s::bigint[]) AND record_b = ANY(%(records)s::bigint[]);

-- name: parents
-- For each given record with a parent UPRN: the active national record its parent (the record
-- of its source with that UPRN) is linked to.
SELECT c.record_id, l.uprn
FROM source_record c
JOIN source_record p ON p.source_id = c.source_id AND p.uprn = c.parent_uprn
                     AND p.removed_batch_id IS NULL
JOIN address_link l ON l.record_id = p.record_id
JOIN national_address n ON n.uprn = l.uprn AND n.status = 'active'
WHERE c.record_id = ANY(%(records)s::bigint[]);

-- name: overrides
SELECT uprn, field, value FROM field_override WHERE uprn = ANY(%(uprns)s::bigint[]);

-- name: allocate
-- A UPRN from NSAI's own range that no one has used.
SELECT u FROM (SELECT nextval('nsai_uprn') AS u) AS next
WHERE NOT EXISTS (SELECT 1 FROM national_address WHERE uprn = next.u)
  AND NOT EXISTS (SELECT 1 FROM uprn_alias WHERE uprn = next.u)
  AND NOT EXISTS (SELECT 1 FROM source_record WHERE uprn = next.u);

-- name: placeholder
INSERT INTO national_address (uprn, single_line) VALUES (%(uprn)s, '');

-- name: move_links
UPDATE address_link SET uprn = %(into)s, linked_at = now(), run_id = NULL
WHERE uprn = %(uprn)s;

-- name: link
UPDATE address_link SET uprn = %(uprn)s, decision = 'manual', score = NULL,
    explanation = '{}', linked_at = now(), run_id = NULL
WHERE record_id = ANY(%(records)s::bigint[]);

-- name: decide_pair
INSERT INTO match_decision (record_a, record_b, decision, decided_by, reason, operation_id)
VALUES (least(%(a)s::bigint, %(b)s::bigint), greatest(%(a)s::bigint, %(b)s::bigint),
        %(decision)s, %(actor)s, %(reason)s, %(operation)s)
ON CONFLICT (record_a, record_b) DO UPDATE SET
    decision = excluded.decision, decided_by = excluded.decided_by,
    decided_at = excluded.decided_at, reason = excluded.reason,
    operation_id = excluded.operation_id;

-- name: move_aliases
UPDATE uprn_alias SET national_uprn = %(into)s WHERE national_uprn = %(uprn)s;

-- name: hold
INSERT INTO steward_hold (source_id, source_ref, uprn, operation_id)
SELECT r.source_id, r.source_ref, l.uprn, %(operation)s
FROM address_link l JOIN source_record r USING (record_id)
WHERE l.uprn = %(uprn)s
ON CONFLICT (source_id, source_ref) DO UPDATE SET
    uprn = excluded.uprn, operation_id = excluded.operation_id;
UPDATE address_link SET decision = 'manual', linked_at = now(), run_id = NULL
WHERE uprn = %(uprn)s;

-- name: override
INSERT INTO field_override (uprn, field, value, operation_id)
VALUES (%(uprn)s, %(field)s, %(value)s::jsonb, %(operation)s)
ON CONFLICT (uprn, field) DO UPDATE SET
    value = excluded.value, operation_id = excluded.operation_id;

-- name: match_keys
-- The bulk matcher's keys of the given national records, in step with their links and status
-- (as publish.sql match_keys keeps them for a whole run).
DELETE FROM national_match_key
WHERE uprn = ANY(%(uprns)s::bigint[]) OR record_id = ANY(%(records)s::bigint[]);
INSERT INTO national_match_key
SELECT m.record_id, l.uprn, m.sao_text, m.classification, m.organisation_key, m.sao_key,
       m.pao_key, m.building_key, m.street_key, m.locality_key, m.town_key, m.postcode_key
FROM address_link l
JOIN record_match_keys m USING (record_id)
JOIN national_address n ON n.uprn = l.uprn AND n.status = 'active'
WHERE l.uprn = ANY(%(uprns)s::bigint[]);

-- name: record_operation
INSERT INTO steward_operation (operation_id, kind, actor, reason, params, before, after, undoes)
VALUES (%(operation)s, %(kind)s, %(actor)s, %(reason)s, %(params)s::jsonb, %(before)s::jsonb,
        %(after)s::jsonb, %(undoes)s);

-- name: snapshot
-- Every row an operation touches, by the national records, source records and review items it
-- names: what undo compares and puts back. Points as hex EWKB, which geometry input reads.
SELECT jsonb_build_object(
    'national_address', (
        SELECT coalesce(jsonb_agg(to_jsonb(n) - 'geom'
                                  || jsonb_build_object('geom', encode(ST_AsEWKB(n.geom), 'hex'))
                                  ORDER BY n.uprn), '[]')
        FROM national_address n WHERE n.uprn = ANY(%(uprns)s::bigint[])),
    'address_link', (
        SELECT coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.record_id), '[]')
        FROM address_link l WHERE l.record_id = ANY(%(records)s::bigint[])),
    'match_decision', (
        SELECT coalesce(jsonb_agg(to_jsonb(m) ORDER BY m.record_a, m.record_b), '[]')
        FROM match_decision m
        WHERE m.record_a = ANY(%(records)s::bigint[]) OR m.record_b = ANY(%(records)s::bigint[])),
    'review_item', (
        SELECT coalesce(jsonb_agg(to_jsonb(v) ORDER BY v.review_id), '[]')
        FROM review_item v WHERE v.review_id = ANY(%(reviews)s::bigint[])),
    'steward_hold', (
        SELECT coalesce(jsonb_agg(to_jsonb(h) ORDER BY h.source_id, h.source_ref), '[]')
        FROM steward_hold h WHERE h.uprn = ANY(%(uprns)s::bigint[])),
    'field_override', (
        SELECT coalesce(jsonb_agg(to_jsonb(f) ORDER BY f.uprn, f.field), '[]')
        FROM field_override f WHERE f.uprn = ANY(%(uprns)s::bigint[])),
    'uprn_alias', (
        SELECT coalesce(jsonb_agg(to_jsonb(a) ORDER BY a.uprn), '[]')
        FROM uprn_alias a WHERE a.national_uprn = ANY(%(uprns)s::bigint[]))
)::text;

-- name: restore
-- Puts back the rows of %(before)s among those the snapshot covers (national records are
-- republished instead: their versions only move forward).
DELETE FROM address_link
WHERE record_id = ANY(%(records)s::bigint[])
  AND record_id NOT IN (SELECT record_id FROM jsonb_populate_recordset(
                            NULL::address_link, %(before)s::jsonb -> 'address_link'));
INSERT INTO address_link
SELECT * FROM jsonb_populate_recordset(NULL::address_link, %(before)s::jsonb -> 'address_link')
ON CONFLICT (record_id) DO UPDATE SET
    uprn = excluded.uprn, score = excluded.score, decision = excluded.decision,
    explanation = excluded.explanation, linked_at = excluded.linked_at, run_id = excluded.run_id;
DELETE FROM match_decision
WHERE (record_a = ANY(%(records)s::bigint[]) OR record_b = ANY(%(records)s::bigint[]))
  AND (record_a, record_b) NOT IN (
      SELECT record_a, record_b FROM jsonb_populate_recordset(
          NULL::match_decision, %(before)s::jsonb -> 'match_decision'));
INSERT INTO match_decision
SELECT * FROM jsonb_populate_recordset(NULL::match_decision,
                                       %(before)s::jsonb -> 'match_decision')
ON CONFLICT (record_a, record_b) DO UPDATE SET
    decision = excluded.decision, decided_by = excluded.decided_by,
    decided_at = excluded.decided_at, reason = excluded.reason,
    operation_id = excluded.operation_id;
UPDATE review_item v SET status = b.status, decided_at = b.decided_at,
    decided_by = b.decided_by, version = v.version + 1
FROM jsonb_populate_recordset(NULL::review_item, %(before)s::jsonb -> 'review_item') AS b
WHERE v.review_id = b.review_id;
DELETE FROM steward_hold WHERE uprn = ANY(%(uprns)s::bigint[]);
INSERT INTO steward_hold
SELECT * FROM jsonb_populate_recordset(NULL::steward_hold, %(before)s::jsonb -> 'steward_hold');
DELETE FROM field_override WHERE uprn = ANY(%(uprns)s::bigint[]);
INSERT INTO field_override
SELECT * FROM jsonb_populate_recordset(NULL::field_override,
                                       %(before)s::jsonb -> 'field_override');
UPDATE uprn_alias a SET national_uprn = b.national_uprn
FROM jsonb_populate_recordset(NULL::uprn_alias, %(before)s::jsonb -> 'uprn_alias') AS b
WHERE a.uprn = b.uprn;

-- name: later_operations
-- Operations after this one, not undone, that touched any of its national records, source
-- records or review items: an undo must not pull the ground from under them.
SELECT o.operation_id, o.kind, o.actor, o.created_at
FROM steward_operation o
WHERE o.operation_id > %(operation)s AND o.kind <> 'undo'
  AND NOT EXISTS (SELECT 1 FROM steward_operation u WHERE u.undoes = o.operation_id)
  AND (o.params -> 'uprns' ?| %(uprns)s::text[]
       OR o.params -> 'records' ?| %(records)s::text[]
       OR o.params -> 'reviews' ?| %(reviews)s::text[])
ORDER BY o.operation_id DESC;

-- name: changed_since
-- The latest change to one of these national records since the operation: by whom.
SELECT e.uprn, e.cause, e.actor, e.run_id, e.operation_id, e.occurred_at
FROM change_event e
WHERE e.uprn = ANY(%(uprns)s::bigint[]) AND e.event_id > (
    SELECT coalesce(max(event_id), 0) FROM change_event WHERE operation_id = %(operation)s)
ORDER BY e.event_id DESC LIMIT 1;

-- name: operation
SELECT o.operation_id, o.kind, o.actor, o.reason, o.params, o.before, o.after, o.undoes,
       o.created_at, u.operation_id AS undone_by
FROM steward_operation o LEFT JOIN steward_operation u ON u.undoes = o.operation_id
WHERE o.operation_id = %(operation)s;

-- name: log
-- The audit log, newest first; of one national record when %(uprn)s is given.
SELECT o.operation_id, o.kind, o.actor, o.reason, o.params, o.before, o.after, o.undoes,
       o.created_at, u.operation_id AS undone_by
FROM steward_operation o LEFT JOIN steward_operation u ON u.undoes = o.operation_id
WHERE (%(uprn)s::bigint IS NULL OR o.params -> 'uprns' ? %(uprn)s::text)
  AND (%(before_id)s::bigint IS NULL OR o.operation_id < %(before_id)s::bigint)
ORDER BY o.operation_id DESC
LIMIT %(limit)s;
