-- Applying a staged DTF 7.3 file to a gazetteer source's raw state (dtf_blpu, dtf_lpi, street)
-- and deriving one source record per BLPU from it. Parameters: %(source)s, %(batch)s, %(full)s.
-- A full file replaces the state; a change-only file applies, per key, its last change in
-- PRO_ORDER (an I or U carries the whole record, a D removes it), which is what applying the
-- changes one by one in that order leaves.

-- name: net_changes
CREATE TEMP TABLE net_street ON COMMIT DROP AS
    SELECT DISTINCT ON (usrn, language) * FROM stage_street
    ORDER BY usrn, language, pro_order DESC, volume DESC, line_number DESC;
CREATE TEMP TABLE net_street_type ON COMMIT DROP AS
    SELECT DISTINCT ON (usrn) * FROM stage_street_type
    ORDER BY usrn, pro_order DESC, volume DESC, line_number DESC;
CREATE TEMP TABLE net_blpu ON COMMIT DROP AS
    SELECT DISTINCT ON (uprn) * FROM stage_blpu
    ORDER BY uprn, pro_order DESC, volume DESC, line_number DESC;
CREATE TEMP TABLE net_lpi ON COMMIT DROP AS
    SELECT DISTINCT ON (lpi_key) * FROM stage_lpi
    ORDER BY lpi_key, pro_order DESC, volume DESC, line_number DESC;
-- PRO_ORDER runs across record types: deleting a street (11 D) or a BLPU (21 D) also ends what
-- the file said earlier about that street's descriptors or that BLPU's LPIs.
DELETE FROM net_street n USING net_street_type t
    WHERE t.change_type = 'D' AND n.usrn = t.usrn AND n.pro_order < t.pro_order;
DELETE FROM net_lpi n USING net_blpu b
    WHERE b.change_type = 'D' AND n.uprn = b.uprn AND n.pro_order < b.pro_order;
ANALYZE net_street;
ANALYZE net_street_type;
ANALYZE net_blpu;
ANALYZE net_lpi;

-- name: affected
-- The BLPUs whose source record may change: before the state changes, so that the old owners of
-- changed LPIs and the users of changed streets are included.
INSERT INTO affected
    SELECT uprn FROM dtf_blpu WHERE source_id = %(source)s AND %(full)s
    UNION SELECT uprn FROM net_blpu
    UNION SELECT uprn FROM net_lpi
    UNION SELECT l.uprn FROM dtf_lpi l JOIN net_lpi n USING (lpi_key)
        WHERE l.source_id = %(source)s
    UNION SELECT l.uprn FROM dtf_lpi l
        JOIN (SELECT usrn FROM net_street UNION SELECT usrn FROM net_street_type) s USING (usrn)
        WHERE l.source_id = %(source)s;
ANALYZE affected;

-- name: clear_state
DELETE FROM dtf_lpi WHERE source_id = %(source)s
    AND (%(full)s OR lpi_key IN (SELECT lpi_key FROM net_lpi)
         OR uprn IN (SELECT uprn FROM net_blpu WHERE change_type = 'D'));
DELETE FROM dtf_blpu b WHERE b.source_id = %(source)s
    AND (%(full)s OR b.uprn IN (SELECT uprn FROM net_blpu));
-- A changed descriptor (15) is upserted below, keeping its street's record-11 attributes.
DELETE FROM street s WHERE s.source_id = %(source)s
    AND (%(full)s
         OR (s.usrn, s.language) IN (SELECT usrn, language FROM net_street
                                     WHERE change_type = 'D')
         OR s.usrn IN (SELECT usrn FROM net_street_type WHERE change_type = 'D'));

-- name: insert_state
INSERT INTO street (source_id, usrn, language, descriptor, locality, town, admin_area,
                    street_key, locality_key, town_key, batch_id)
    SELECT %(source)s, usrn, language, descriptor, locality, town, admin_area,
           street_key, locality_key, town_key, %(batch)s
    FROM net_street WHERE change_type IS DISTINCT FROM 'D'
    ON CONFLICT (source_id, usrn, language) DO UPDATE SET
        descriptor = excluded.descriptor, locality = excluded.locality, town = excluded.town,
        admin_area = excluded.admin_area, street_key = excluded.street_key,
        locality_key = excluded.locality_key, town_key = excluded.town_key,
        batch_id = excluded.batch_id;
UPDATE street s SET record_type = t.record_type, state = t.state,
                    custodian_code = t.custodian_code
    FROM net_street_type t
    WHERE s.source_id = %(source)s AND s.usrn = t.usrn AND t.change_type IS DISTINCT FROM 'D';
INSERT INTO dtf_blpu (source_id, uprn, logical_status, blpu_state, blpu_class, parent_uprn, x, y,
                      rpc, custodian_code, organisation, organisation_key, start_date, end_date,
                      last_update_date, batch_id, line_number)
    SELECT %(source)s, uprn, logical_status, blpu_state, blpu_class, parent_uprn, x, y, rpc,
           custodian_code, organisation, organisation_key, start_date, end_date,
           last_update_date, %(batch)s, line_number
    FROM net_blpu WHERE change_type IS DISTINCT FROM 'D';
INSERT INTO dtf_lpi (source_id, lpi_key, uprn, language, logical_status, start_date, end_date,
                     sao_start_number, sao_start_suffix, sao_end_number, sao_end_suffix,
                     sao_text, pao_start_number, pao_start_suffix, pao_end_number,
                     pao_end_suffix, pao_text, usrn, level, postal_address, postcode,
                     postcode_valid, post_town, official_flag, post_town_key, sao_key, pao_key,
                     building_key, postcode_key, batch_id, line_number)
    SELECT %(source)s, lpi_key, uprn, language, logical_status, start_date, end_date,
           sao_start_number, sao_start_suffix, sao_end_number, sao_end_suffix, sao_text,
           pao_start_number, pao_start_suffix, pao_end_number, pao_end_suffix, pao_text, usrn,
           level, postal_address, postcode, postcode_valid, post_town, official_flag,
           post_town_key, sao_key, pao_key, building_key, postcode_key, %(batch)s, line_number
    FROM net_lpi WHERE change_type IS DISTINCT FROM 'D';
-- Fresh statistics: the state tables may have changed by millions of rows, and the joins below
-- are planned on them.
ANALYZE dtf_blpu;
ANALYZE dtf_lpi;
ANALYZE street;

-- name: quarantine_orphans
-- An LPI of this load whose BLPU is in neither the file nor the state cannot be placed.
WITH orphan AS (
    DELETE FROM dtf_lpi l
    WHERE l.source_id = %(source)s AND l.batch_id = %(batch)s
      AND NOT EXISTS (SELECT 1 FROM dtf_blpu b WHERE b.source_id = l.source_id AND b.uprn = l.uprn)
    RETURNING l.lpi_key
)
INSERT INTO quarantine (batch_id, file_name, line_number, raw, reason)
    SELECT %(batch)s, n.file_name, n.line_number, n.raw,
           format('LPI %%s is for UPRN %%s, which has no BLPU record (or its BLPU was refused)',
                  n.lpi_key, n.uprn)
    FROM orphan o JOIN net_lpi n USING (lpi_key);
-- A street record (11) of this load with no descriptor (15) names no street.
INSERT INTO quarantine (batch_id, file_name, line_number, raw, reason)
    SELECT %(batch)s, t.file_name, t.line_number, t.raw,
           format('street record 11 for USRN %%s has no descriptor (record 15)', t.usrn)
    FROM net_street_type t
    WHERE t.change_type IS DISTINCT FROM 'D'
      AND NOT EXISTS (SELECT 1 FROM street s WHERE s.source_id = %(source)s AND s.usrn = t.usrn);
-- A BLPU of this load with no LPI has no address: kept in the state (a later change may add
-- one) but refused as a record.
INSERT INTO quarantine (batch_id, file_name, line_number, raw, reason)
    SELECT %(batch)s, n.file_name, n.line_number, n.raw,
           format('BLPU %%s has no LPI, so no address', n.uprn)
    FROM net_blpu n
    WHERE n.change_type IS DISTINCT FROM 'D'
      AND NOT EXISTS (SELECT 1 FROM dtf_lpi l WHERE l.source_id = %(source)s AND l.uprn = n.uprn);

-- name: derive_records
-- One record per affected BLPU: its best LPI (approved, then provisional, candidate,
-- alternative, historical; English first), the others kept as other addresses, and the street
-- descriptor, locality and town of the LPI's USRN. The best LPIs, each with the others after it
-- in its window, are kept in a table of their own and analyzed: estimated from a window's
-- output, a join on them was planned as if they were a handful, and a nested loop grew with the
-- square of the file (20 s for 6,000 BLPUs).
CREATE TEMP TABLE best_lpi ON COMMIT DROP AS
SELECT * FROM (
    SELECT l.*, row_number() OVER ranked AS rank,
           jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
               'lpi_key', lpi_key, 'logical_status', logical_status, 'language', language,
               'sao_start_number', sao_start_number, 'sao_start_suffix', sao_start_suffix,
               'sao_end_number', sao_end_number, 'sao_end_suffix', sao_end_suffix,
               'sao_text', sao_text, 'pao_start_number', pao_start_number,
               'pao_start_suffix', pao_start_suffix, 'pao_end_number', pao_end_number,
               'pao_end_suffix', pao_end_suffix, 'pao_text', pao_text, 'usrn', usrn,
               'postcode', postcode, 'start_date', start_date, 'end_date', end_date,
               'sao_key', sao_key, 'pao_key', pao_key, 'building_key', building_key
           -- The LPIs after each in its BLPU's order: for the best, all the others. (Aggregated
           -- again for each LPI, k(k-1)/2 steps for k LPIs; most BLPUs have one and need none.)
           ))) OVER (ranked ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS other_addresses
    FROM dtf_lpi l JOIN affected a USING (uprn)
    WHERE l.source_id = %(source)s
    WINDOW ranked AS (
        PARTITION BY l.uprn
        ORDER BY array_position(ARRAY[1, 6, 5, 3, 8, 7, 9]::smallint[], l.logical_status),
                 (l.language = 'ENG') DESC, l.lpi_key)
) ranked WHERE rank = 1;
ANALYZE best_lpi;
WITH streets AS (
    SELECT DISTINCT ON (usrn) * FROM street WHERE source_id = %(source)s
    ORDER BY usrn, (language = 'ENG') DESC
)
INSERT INTO stage_record (
    source_ref, uprn, parent_uprn, usrn, organisation,
    sao_start_number, sao_start_suffix, sao_end_number, sao_end_suffix, sao_text,
    pao_start_number, pao_start_suffix, pao_end_number, pao_end_suffix, pao_text,
    street, locality, town, postcode, postcode_valid, classification, logical_status,
    blpu_state, rpc, custodian_code, other_addresses, attributes, geom,
    organisation_key, sao_key, pao_key, building_key, street_key, locality_key, town_key,
    postcode_key, line_number)
SELECT b.uprn::text, b.uprn, b.parent_uprn, l.usrn, b.organisation,
       l.sao_start_number, l.sao_start_suffix, l.sao_end_number, l.sao_end_suffix, l.sao_text,
       l.pao_start_number, l.pao_start_suffix, l.pao_end_number, l.pao_end_suffix, l.pao_text,
       s.descriptor, s.locality, coalesce(s.town, l.post_town), l.postcode, l.postcode_valid,
       b.blpu_class, b.logical_status, b.blpu_state, b.rpc, b.custodian_code,
       coalesce(l.other_addresses, '[]'),
       jsonb_strip_nulls(jsonb_build_object(
           'lpi_key', l.lpi_key, 'lpi_logical_status', l.logical_status,
           'language', l.language, 'level', l.level, 'postal_address', l.postal_address,
           'official_flag', l.official_flag, 'post_town', l.post_town,
           'start_date', b.start_date, 'end_date', b.end_date,
           'last_update_date', b.last_update_date)),
       CASE WHEN b.x IS NOT NULL AND b.y IS NOT NULL
            THEN ST_SetSRID(ST_MakePoint(b.x, b.y), 27700) END,
       b.organisation_key, l.sao_key, l.pao_key, l.building_key,
       s.street_key, s.locality_key, coalesce(s.town_key, l.post_town_key), l.postcode_key,
       b.line_number
FROM dtf_blpu b
JOIN best_lpi l USING (uprn)
LEFT JOIN streets s ON s.usrn = l.usrn
WHERE b.source_id = %(source)s;
