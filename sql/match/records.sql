-- What reconciliation reads: the current source records, the national state it continues
-- from, and the stewards' decisions it must respect.

-- name: records
-- sao_key as matching compares it, without a unit designator (sql/005_match_keys.sql).
-- Each column is named as the field of nsai.match.records.MatchRecord it fills.
SELECT r.record_id, s.name AS source, s.kind AS source_kind, s.duplicate_free,
       s.priority AS source_priority, s.custodian_code AS source_custodian,
       r.custodian_code, r.uprn, r.parent_uprn, r.classification, r.logical_status, r.rpc,
       r.usrn, r.organisation,
       r.sao_start_number, r.sao_start_suffix, r.sao_end_number, r.sao_end_suffix, r.sao_text,
       r.pao_start_number, r.pao_start_suffix, r.pao_end_number, r.pao_end_suffix, r.pao_text,
       r.street, r.locality, r.town, r.postcode,
       r.organisation_key, nsai_sao_identity(r.sao_key) AS sao_key, r.pao_key, r.building_key,
       r.street_key, r.locality_key, r.town_key, r.postcode_key,
       ST_X(r.geom) AS x, ST_Y(r.geom) AS y
FROM source_record r JOIN source s USING (source_id)
WHERE CASE WHEN %(ids)s::bigint[] IS NULL
           -- every current record but those a steward holds out of matching (see held)
           THEN r.removed_batch_id IS NULL
                AND NOT EXISTS (SELECT 1 FROM steward_hold h
                                WHERE h.source_id = r.source_id AND h.source_ref = r.source_ref)
           -- the given records (a steward's operation republishes a few national records)
           ELSE r.record_id = ANY(%(ids)s::bigint[])
      END
ORDER BY r.record_id;


-- name: list_text
-- The address as each current list record gave it, for reading it again (nsai/match/reread.py).
SELECT r.record_id, r.raw_address
FROM source_record r JOIN source s USING (source_id)
WHERE s.kind = 'list' AND r.removed_batch_id IS NULL AND r.raw_address IS NOT NULL;

-- name: readings
-- How the last run read the given records, where it read them again (nsai/match/reread.py).
SELECT * FROM record_reading WHERE record_id = ANY(%(ids)s::bigint[]);

-- name: previous_links
-- Each current record's national UPRN: its own link, or the link of the version of it a later
-- load replaced (the same source and source_ref), so a changed record keeps its property.
SELECT DISTINCT ON (cur.record_id) cur.record_id, l.uprn
FROM source_record cur
JOIN source_record old ON old.source_id = cur.source_id AND old.source_ref = cur.source_ref
JOIN address_link l ON l.record_id = old.record_id
JOIN national_address n ON n.uprn = l.uprn AND n.status = 'active'
WHERE cur.removed_batch_id IS NULL
ORDER BY cur.record_id, old.record_id DESC;

-- name: active
SELECT uprn FROM national_address WHERE status = 'active';

-- name: taken
-- Never given to another property: every published UPRN, every alias, and any UPRN of NSAI's own
-- range that a source already uses.
SELECT uprn FROM national_address
UNION SELECT uprn FROM uprn_alias
UNION SELECT uprn FROM source_record WHERE uprn >= 999000000001 AND removed_batch_id IS NULL;

-- name: inactive
SELECT uprn FROM national_address WHERE status <> 'active';

-- name: decisions
-- A steward's decision follows its records through later versions of them (the same source and
-- source_ref), as links do: a corrected address stays where the steward put it. Of several
-- decisions on one pair of current records, the latest counts.
SELECT DISTINCT ON (1, 2)
       least(ca.record_id, cb.record_id), greatest(ca.record_id, cb.record_id), m.decision
FROM match_decision m
JOIN source_record a ON a.record_id = m.record_a
JOIN source_record b ON b.record_id = m.record_b
JOIN source_record ca ON ca.source_id = a.source_id AND ca.source_ref = a.source_ref
                     AND ca.removed_batch_id IS NULL
JOIN source_record cb ON cb.source_id = b.source_id AND cb.source_ref = b.source_ref
                     AND cb.removed_batch_id IS NULL
WHERE ca.record_id <> cb.record_id
ORDER BY 1, 2, m.decided_at DESC, m.decision;

-- name: allocate
SELECT nextval('nsai_uprn');

-- name: state_stamp
-- What a run's result depends on: if none of it changed since the last successful run, a
-- rerun has nothing to do.
SELECT json_build_object(
    'batches', (SELECT coalesce(max(batch_id), 0) FROM load_batch WHERE status = 'loaded'),
    'decisions', (SELECT md5(coalesce(string_agg(record_a || ',' || record_b || decision, ';'
                                                 ORDER BY record_a, record_b), ''))
                  FROM match_decision),
    -- holds, overrides and what stewards did to the national tables themselves
    'steward', (SELECT coalesce(max(operation_id), 0) FROM steward_operation),
    'sources', (SELECT md5(coalesce(string_agg(concat_ws(',', source_id, priority,
                                                         duplicate_free, custodian_code), ';'
                                               ORDER BY source_id), ''))
                FROM source),
    'config', %(config)s::text
)::text;

-- name: held
-- Records a steward retired with their national record: out of matching, kept linked to it.
SELECT r.record_id, h.uprn
FROM steward_hold h
JOIN source_record r ON r.source_id = h.source_id AND r.source_ref = h.source_ref
WHERE r.removed_batch_id IS NULL;

-- name: overrides
SELECT uprn, field, value FROM field_override;

-- name: steward_operations
-- A sequence, read outside any snapshot: it moves when a steward operation begins.
SELECT last_value, is_called FROM steward_operation_seq;

-- name: publish_lock
SELECT pg_advisory_xact_lock(%(key)s);
