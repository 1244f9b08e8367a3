-- Publishing a run: the desired national state (computed by the job and COPied into the temp
-- tables nsai/db/tables.py describes, desired_*) is compared with the published one, and only differences are written, each with its
-- change event. A rerun that computes the same state writes nothing. Parameters of the events:
-- cause, actor, run (a run's) and operation (a steward operation's; the sections
-- create, update, announce_created and fates also publish a steward's corrections).
-- Rows already there are skipped by ON CONFLICT, never by NOT EXISTS on the table written: a
-- table analyzed while empty (a VACUUM ANALYZE before the first run) is planned as empty, and
-- the anti-join scans the growing table again for every row, minutes at 300k records
-- (tests/db/test_insert_plans.py).

-- name: first_run
-- A first national run (nothing published yet) writes every row of the tables below: their
-- secondary indexes and foreign keys are dropped first and made again after the data, by the
-- statements returned here (as the catalog defines them), which builds each index once and
-- checks each key in one join instead of row by row. Only where this role owns the tables (the
-- API's role does not: its runs write row by row). The unique indexes stay: ON CONFLICT needs them.
WITH written AS (
    SELECT oid FROM pg_class
    WHERE oid IN ('national_address'::regclass, 'address_link'::regclass,
                  'change_event'::regclass, 'national_match_key'::regclass)
), first AS (
    SELECT NOT EXISTS (SELECT 1 FROM national_address)
           AND (SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class
                WHERE oid IN (SELECT oid FROM written)) AS yes
)
-- Only keys between these tables: dropping a key locks the table it references too, and
-- source_record, reconcile_run and custodian must stay open to loads, runs and cancels.
SELECT format('ALTER TABLE %%s DROP CONSTRAINT %%I', c.conrelid::regclass, c.conname) AS drop,
       format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', c.conrelid::regclass, c.conname,
              pg_get_constraintdef(c.oid)) AS make
FROM pg_constraint c, first
WHERE first.yes AND c.contype = 'f' AND c.conrelid IN (SELECT oid FROM written)
  AND c.confrelid IN (SELECT oid FROM written)
UNION ALL
SELECT format('DROP INDEX %%s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)
FROM pg_index i, first
WHERE first.yes AND NOT i.indisunique AND i.indrelid IN (SELECT oid FROM written);

-- name: custodians
INSERT INTO custodian (custodian_code, name)
    SELECT DISTINCT custodian_code, 'Custodian ' || custodian_code FROM desired_address
    WHERE custodian_code IS NOT NULL
    ON CONFLICT DO NOTHING;

-- name: create
-- New records are inserted without parents (a parent may come later in the same statement) and
-- announced after `update` has set their parents, so the event carries the whole new record.
WITH created AS (
    INSERT INTO national_address (
        uprn, parent_uprn, usrn, organisation,
        sao_start_number, sao_start_suffix, sao_end_number, sao_end_suffix, sao_text,
        pao_start_number, pao_start_suffix, pao_end_number, pao_end_suffix, pao_text,
        street, locality, town, postcode, single_line, classification, logical_status,
        custodian_code, rpc, geom, source_count)
    SELECT d.uprn, NULL, d.usrn, d.organisation,
           d.sao_start_number, d.sao_start_suffix, d.sao_end_number, d.sao_end_suffix, d.sao_text,
           d.pao_start_number, d.pao_start_suffix, d.pao_end_number, d.pao_end_suffix, d.pao_text,
           d.street, d.locality, d.town, d.postcode, d.single_line, d.classification,
           d.logical_status, d.custodian_code, d.rpc,
           CASE WHEN d.x IS NOT NULL THEN ST_SetSRID(ST_MakePoint(d.x, d.y), 27700) END,
           d.source_count
    FROM desired_address d
    ON CONFLICT (uprn) DO NOTHING
    RETURNING uprn
)
SELECT count(*) FROM created;

-- name: update
-- Parents are set here, after every record exists; a new record's parent too (not an update:
-- new records are those created in this transaction, whose created_at is now()).
WITH changed AS (
    UPDATE national_address n SET
        status = 'active', successor_uprn = NULL, parent_uprn = d.parent_uprn, usrn = d.usrn,
        organisation = d.organisation,
        sao_start_number = d.sao_start_number, sao_start_suffix = d.sao_start_suffix,
        sao_end_number = d.sao_end_number, sao_end_suffix = d.sao_end_suffix,
        sao_text = d.sao_text,
        pao_start_number = d.pao_start_number, pao_start_suffix = d.pao_start_suffix,
        pao_end_number = d.pao_end_number, pao_end_suffix = d.pao_end_suffix,
        pao_text = d.pao_text, street = d.street, locality = d.locality, town = d.town,
        postcode = d.postcode, single_line = d.single_line, classification = d.classification,
        logical_status = d.logical_status, custodian_code = d.custodian_code, rpc = d.rpc,
        geom = CASE WHEN d.x IS NOT NULL THEN ST_SetSRID(ST_MakePoint(d.x, d.y), 27700) END,
        source_count = d.source_count,
        version = n.version + (CASE WHEN n.created_at = now() THEN 0 ELSE 1 END),
        updated_at = now()
    FROM desired_address d
    WHERE n.uprn = d.uprn
      AND (n.status, n.parent_uprn, n.usrn, n.organisation,
           n.sao_start_number, n.sao_start_suffix, n.sao_end_number, n.sao_end_suffix,
           n.sao_text, n.pao_start_number, n.pao_start_suffix, n.pao_end_number,
           n.pao_end_suffix, n.pao_text, n.street, n.locality, n.town, n.postcode,
           n.single_line, n.classification, n.logical_status, n.custodian_code, n.rpc,
           ST_X(n.geom), ST_Y(n.geom), n.source_count)
          IS DISTINCT FROM
          ('active', d.parent_uprn, d.usrn, d.organisation,
           d.sao_start_number, d.sao_start_suffix, d.sao_end_number, d.sao_end_suffix,
           d.sao_text, d.pao_start_number, d.pao_start_suffix, d.pao_end_number,
           d.pao_end_suffix, d.pao_text, d.street, d.locality, d.town, d.postcode,
           d.single_line, d.classification, d.logical_status, d.custodian_code, d.rpc,
           d.x, d.y, d.source_count)
    RETURNING n.*
), events AS (
    -- The new state, as the statement returned it (a join would see the old one).
    INSERT INTO change_event (uprn, kind, state, cause, actor, run_id, operation_id)
    SELECT c.uprn, 'updated', to_jsonb(c) - 'geom', %(cause)s::text, %(actor)s::text,
           %(run)s::bigint, %(operation)s::bigint
    FROM changed c
    WHERE c.created_at <> now()
    RETURNING 1
)
SELECT count(*) FROM events;

-- name: announce_created
INSERT INTO change_event (uprn, kind, state, cause, actor, run_id, operation_id)
    SELECT n.uprn, 'created', to_jsonb(n) - 'geom', %(cause)s::text, %(actor)s::text,
           %(run)s::bigint, %(operation)s::bigint
    FROM national_address n WHERE n.created_at = now();

-- name: fates
WITH merged AS (
    UPDATE national_address n SET status = 'merged', successor_uprn = f.related_uprn,
        version = n.version + 1, updated_at = now()
    FROM desired_fate f
    WHERE f.fate = 'merged' AND n.uprn = f.uprn AND n.status = 'active'
    RETURNING n.uprn, n.successor_uprn
), retired AS (
    UPDATE national_address n SET status = 'retired', version = n.version + 1, updated_at = now()
    FROM desired_fate f
    WHERE f.fate = 'retired' AND n.uprn = f.uprn AND n.status = 'active'
    RETURNING n.uprn
), events AS (
    INSERT INTO change_event (uprn, kind, related_uprn, state, cause, actor, run_id,
                              operation_id)
    SELECT uprn, 'merged', successor_uprn, jsonb_build_object('successor_uprn', successor_uprn),
           %(cause)s::text, %(actor)s::text, %(run)s::bigint, %(operation)s::bigint FROM merged
    UNION ALL
    SELECT uprn, 'retired', NULL, '{}', %(cause)s::text, %(actor)s::text,
           %(run)s::bigint, %(operation)s::bigint
    FROM retired
    UNION ALL
    SELECT uprn, 'split', related_uprn, jsonb_build_object('into', related_uprn),
           %(cause)s::text, %(actor)s::text, %(run)s::bigint, %(operation)s::bigint
    FROM desired_fate WHERE fate = 'split'
    RETURNING kind
)
SELECT count(*) FILTER (WHERE kind = 'merged'), count(*) FILTER (WHERE kind = 'retired'),
       count(*) FILTER (WHERE kind = 'split')
FROM events;

-- name: links
DELETE FROM address_link l
WHERE NOT EXISTS (SELECT 1 FROM desired_link d
                  WHERE d.record_id = l.record_id AND d.uprn = l.uprn
                    AND d.decision = l.decision AND d.score IS NOT DISTINCT FROM l.score);
INSERT INTO address_link (record_id, uprn, score, decision, explanation, run_id)
    SELECT d.record_id, d.uprn, d.score, d.decision, d.explanation, %(run)s
    FROM desired_link d
    ON CONFLICT (record_id) DO NOTHING;

-- name: readings
-- The list records this run read again, and the names it knew (sql/011_record_reading.sql):
-- only what differs is written.
DELETE FROM record_reading x
WHERE NOT EXISTS (SELECT 1 FROM desired_reading d
                  WHERE d.record_id = x.record_id AND (d.*)::text = (x.*)::text);
INSERT INTO record_reading SELECT * FROM desired_reading ON CONFLICT (record_id) DO NOTHING;
DELETE FROM known_name k
WHERE NOT EXISTS (SELECT 1 FROM desired_known_name d
                  WHERE (d.kind, d.area, d.name) = (k.kind, k.area, k.name)
                    AND d.street IS NOT DISTINCT FROM k.street);
INSERT INTO known_name SELECT * FROM desired_known_name ON CONFLICT (kind, area, name) DO NOTHING;

-- name: match_keys
-- The bulk matcher's copy of the links with their records' keys as this run read them
-- (sql/005_match_keys.sql, record_match_keys): a row whose link or reading changed is written
-- again.
DELETE FROM national_match_key k
WHERE NOT EXISTS (SELECT 1 FROM address_link l WHERE l.record_id = k.record_id AND l.uprn = k.uprn)
   OR EXISTS (SELECT 1 FROM record_match_keys m
              WHERE m.record_id = k.record_id
                AND (m.sao_text, m.organisation_key, m.sao_key, m.pao_key, m.building_key,
                     m.street_key, m.locality_key, m.town_key)
                    IS DISTINCT FROM
                    (k.sao_text, k.organisation_key, k.sao_key, k.pao_key, k.building_key,
                     k.street_key, k.locality_key, k.town_key));
INSERT INTO national_match_key
SELECT m.record_id, l.uprn, m.sao_text, m.classification, m.organisation_key, m.sao_key,
       m.pao_key, m.building_key, m.street_key, m.locality_key, m.town_key, m.postcode_key
FROM address_link l
JOIN record_match_keys m USING (record_id)
ON CONFLICT (record_id) DO NOTHING;

-- name: aliases
-- A UPRN is either a national record's or an alias, never both.
DELETE FROM uprn_alias a USING national_address n WHERE a.uprn = n.uprn;
INSERT INTO uprn_alias (uprn, national_uprn)
    SELECT d.uprn, d.national_uprn FROM desired_alias d
    WHERE NOT EXISTS (SELECT 1 FROM national_address n WHERE n.uprn = d.uprn)
    ON CONFLICT (uprn) DO UPDATE SET national_uprn = excluded.national_uprn
    WHERE uprn_alias.national_uprn <> excluded.national_uprn;

-- name: reviews
-- An open or deferred review follows its records through later versions of them, so a
-- steward's deferral or a decision under way is not lost to a reload. (desired_review holds
-- no pair a steward decided: the job leaves those out.)
UPDATE review_item r
SET record_a = least(ca.record_id, cb.record_id), record_b = greatest(ca.record_id, cb.record_id),
    version = r.version + 1
FROM source_record a, source_record b, source_record ca, source_record cb
WHERE r.status IN ('open', 'deferred')
  AND a.record_id = r.record_a AND b.record_id = r.record_b
  AND (a.removed_batch_id IS NOT NULL OR b.removed_batch_id IS NOT NULL)
  AND ca.source_id = a.source_id AND ca.source_ref = a.source_ref AND ca.removed_batch_id IS NULL
  AND cb.source_id = b.source_id AND cb.source_ref = b.source_ref AND cb.removed_batch_id IS NULL
  AND ca.record_id <> cb.record_id
  AND NOT EXISTS (SELECT 1 FROM review_item o
                  WHERE o.record_a = least(ca.record_id, cb.record_id)
                    AND o.record_b = greatest(ca.record_id, cb.record_id)
                    AND o.status IN ('open', 'deferred'));
UPDATE review_item r SET pairs = d.pairs, version = r.version + 1
FROM desired_review d
WHERE r.status IN ('open', 'deferred') AND r.record_a = d.record_a AND r.record_b = d.record_b
  AND r.pairs <> d.pairs;
WITH opened AS (
    INSERT INTO review_item (record_a, record_b, score, explanation, pairs, run_id)
    SELECT d.record_a, d.record_b, d.score, d.explanation, d.pairs, %(run)s FROM desired_review d
    ON CONFLICT (record_a, record_b) WHERE status IN ('open', 'deferred') DO NOTHING
    RETURNING 1
), closed AS (
    UPDATE review_item r SET status = 'closed', decided_at = now(), decided_by = 'reconcile',
        version = r.version + 1
    WHERE r.status IN ('open', 'deferred')
      AND NOT EXISTS (SELECT 1 FROM desired_review d
                      WHERE d.record_a = r.record_a AND d.record_b = r.record_b)
    RETURNING 1
)
SELECT (SELECT count(*) FROM opened), (SELECT count(*) FROM closed);

-- name: queue_size
SELECT count(*) FROM review_item WHERE status IN ('open', 'deferred');
