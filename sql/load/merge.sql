-- Merging the staged records of one load into source_record. Parameters: %(source)s,
-- %(batch)s, %(full)s (a full load's scope is every current record of the source; a
-- change-only load's is the affected UPRNs). A record whose content is unchanged is kept as it
-- was; a changed one is replaced (the old version stays, marked removed, for lineage).
-- New records skip current ones by ON CONFLICT, as sql/match/publish.sql says why.

-- name: hash_records
UPDATE stage_record s SET content_hash = md5(ROW(
    s.source_ref, s.uprn, s.parent_uprn, s.usrn, s.organisation,
    s.sao_start_number, s.sao_start_suffix, s.sao_end_number, s.sao_end_suffix, s.sao_text,
    s.pao_start_number, s.pao_start_suffix, s.pao_end_number, s.pao_end_suffix, s.pao_text,
    s.street, s.locality, s.town, s.postcode, s.postcode_valid, s.raw_address,
    s.classification, s.logical_status, s.blpu_state, s.rpc, s.custodian_code,
    s.other_addresses, s.attributes, ST_AsEWKB(s.geom))::text);
CREATE INDEX ON stage_record (source_ref);
ANALYZE stage_record;

-- name: remove_records
-- The source's records in scope are read into a table of their own first, by the source's index,
-- and analyzed: the register's statistics may not know the source yet (its records loaded since
-- the last ANALYZE), and an anti-join estimated at one record was planned as a nested loop
-- scanning stage_record for every record (9 s to reload a 10,000-row list).
CREATE TEMP TABLE in_scope ON COMMIT DROP AS
    SELECT r.record_id, r.source_ref, r.content_hash FROM source_record r
    WHERE r.source_id = %(source)s AND r.removed_batch_id IS NULL
      AND (%(full)s OR r.uprn IN (SELECT uprn FROM affected));
ANALYZE in_scope;
WITH removed AS (
    UPDATE source_record r SET removed_batch_id = %(batch)s
    FROM in_scope c
    WHERE r.record_id = c.record_id AND r.removed_batch_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM stage_record s
                      WHERE s.source_ref = c.source_ref AND s.content_hash = c.content_hash)
    RETURNING r.source_ref
)
SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM stage_record s
                                      WHERE s.source_ref = removed.source_ref)),
       count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM stage_record s
                                          WHERE s.source_ref = removed.source_ref))
FROM removed;

-- name: insert_records
INSERT INTO source_record (
    source_id, batch_id, source_ref, uprn, parent_uprn, usrn, organisation,
    sao_start_number, sao_start_suffix, sao_end_number, sao_end_suffix, sao_text,
    pao_start_number, pao_start_suffix, pao_end_number, pao_end_suffix, pao_text,
    street, locality, town, postcode, postcode_valid, raw_address, classification,
    logical_status, blpu_state, rpc, custodian_code, other_addresses, attributes, geom,
    organisation_key, sao_key, pao_key, building_key, street_key, locality_key, town_key,
    postcode_key, content_hash)
SELECT %(source)s, %(batch)s, s.source_ref, s.uprn, s.parent_uprn, s.usrn, s.organisation,
       s.sao_start_number, s.sao_start_suffix, s.sao_end_number, s.sao_end_suffix, s.sao_text,
       s.pao_start_number, s.pao_start_suffix, s.pao_end_number, s.pao_end_suffix, s.pao_text,
       s.street, s.locality, s.town, s.postcode, s.postcode_valid, s.raw_address,
       s.classification, s.logical_status, s.blpu_state, s.rpc, s.custodian_code,
       coalesce(s.other_addresses, '[]'), coalesce(s.attributes, '{}'), s.geom,
       s.organisation_key, s.sao_key, s.pao_key, s.building_key, s.street_key, s.locality_key,
       s.town_key, s.postcode_key, s.content_hash
FROM stage_record s
ON CONFLICT (source_id, source_ref) WHERE removed_batch_id IS NULL DO NOTHING;

-- name: quarantine_duplicates
-- Rows of one file that repeat a key already seen: the first stays, the others are refused.
-- Formatted before it runs: {table}, {key} (its columns), {label} (the key as text), {what}.
WITH ranked AS (
    SELECT volume, line_number, {label} AS key,
           row_number() OVER w AS n, first_value(line_number) OVER w AS first_line
    FROM {table}
    WINDOW w AS (PARTITION BY {key} ORDER BY volume, line_number)
), dropped AS (
    DELETE FROM {table} t USING ranked r
    WHERE r.n > 1 AND t.volume = r.volume AND t.line_number = r.line_number
    RETURNING t.file_name, t.line_number, t.raw, r.key, r.first_line
)
INSERT INTO quarantine (batch_id, file_name, line_number, raw, reason)
    SELECT %(batch)s, file_name, line_number, raw,
           format('duplicate %%s %%s in one file (first at line %%s)', {what}, key, first_line)
    FROM dropped;
