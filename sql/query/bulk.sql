-- Bulk matching (nsai/query/bulk.py): the candidate spellings of a batch of parsed addresses
-- (national_match_spelling, sql/010_match_spelling.sql), found by the reconciliation's blocking
-- keys, each pass in one round trip.

-- name: candidates
-- Every rule asks for the same SAO key (none on both included): another would be vetoed.
WITH q AS (
    SELECT * FROM unnest(%(idx)s::int[], %(sao)s::text[], %(pao)s::text[],
                         %(building)s::text[], %(street)s::text[], %(town)s::text[],
                         %(postcode)s::text[])
        AS q (idx, sao_key, pao_key, building_key, street_key, town_key, postcode_key)
), found AS (
    SELECT q.idx, k.record_id FROM q JOIN national_match_key k
        ON k.postcode_key = q.postcode_key AND k.pao_key = q.pao_key
    WHERE k.sao_key IS NOT DISTINCT FROM q.sao_key
    UNION
    SELECT q.idx, k.record_id FROM q JOIN national_match_key k
        ON k.street_key = q.street_key AND k.town_key = q.town_key AND k.pao_key = q.pao_key
    WHERE k.sao_key IS NOT DISTINCT FROM q.sao_key
    UNION
    -- a town missing, or written as a locality: the street and number anywhere
    SELECT q.idx, k.record_id FROM q JOIN national_match_key k
        ON k.street_key = q.street_key AND k.pao_key = q.pao_key
    WHERE k.sao_key IS NOT DISTINCT FROM q.sao_key
      AND (q.town_key IS NULL OR k.town_key IS DISTINCT FROM q.town_key)
    UNION
    SELECT q.idx, k.record_id FROM q JOIN national_match_key k
        ON k.building_key = q.building_key AND k.town_key = q.town_key
    WHERE k.sao_key IS NOT DISTINCT FROM q.sao_key
    UNION
    SELECT q.idx, k.record_id FROM q JOIN national_match_key k
        ON k.postcode_key = q.postcode_key AND k.building_key = q.building_key
    WHERE k.sao_key IS NOT DISTINCT FROM q.sao_key
)
SELECT f.idx, s.*
FROM found f JOIN national_match_spelling s USING (record_id);

-- name: second_pass
-- For what the first pass did not place, in its town or postcode: the same number (and flat) on
-- a street spelt alike; without a number, the records of the query's own street (a house name
-- with a slip; and what says the whole line is a street some record names, which is never split
-- as below); and the named records on a street that ends the query's street (a house name or a
-- flat's building glued in front of it: "WOODLANDS TANYARD CLOSE"). The matcher keeps a reading
-- only where one candidate confirms it. Each branch is an index lookup: never a whole town read.
WITH q AS (
    SELECT * FROM unnest(%(idx)s::int[], %(sao)s::text[], %(pao)s::text[],
                         %(building)s::text[], %(street)s::text[], %(town)s::text[],
                         %(postcode)s::text[])
        AS q (idx, sao_key, pao_key, building_key, street_key, town_key, postcode_key)
    WHERE street_key IS NOT NULL
), ending AS (
    -- every proper ending of the query's street: "TANYARD CLOSE" and "CLOSE" of the above
    SELECT q.*, array_to_string(w[i:], ' ') AS tail
    FROM q, string_to_array(q.street_key, ' ') w, generate_series(2, cardinality(w)) i
    WHERE q.building_key IS NULL
), found AS (
    SELECT q.idx, k.record_id FROM q JOIN national_match_key k
        ON k.town_key = q.town_key AND k.pao_key = q.pao_key
    WHERE k.sao_key IS NOT DISTINCT FROM q.sao_key AND similarity(k.street_key, q.street_key) >= 0.4
    UNION
    SELECT q.idx, k.record_id FROM q JOIN national_match_key k
        ON k.postcode_key = q.postcode_key AND k.pao_key = q.pao_key
    WHERE k.sao_key IS NOT DISTINCT FROM q.sao_key AND similarity(k.street_key, q.street_key) >= 0.4
    UNION
    SELECT q.idx, k.record_id FROM q JOIN national_match_key k
        ON k.street_key = q.street_key AND k.town_key = q.town_key
    WHERE q.pao_key IS NULL AND k.sao_key IS NOT DISTINCT FROM q.sao_key
    UNION
    SELECT q.idx, k.record_id FROM q JOIN national_match_key k
        ON k.postcode_key = q.postcode_key AND k.street_key = q.street_key
    WHERE q.pao_key IS NULL AND k.sao_key IS NOT DISTINCT FROM q.sao_key
    UNION
    SELECT e.idx, k.record_id FROM ending e JOIN national_match_key k
        ON k.street_key = e.tail AND k.town_key = e.town_key
    WHERE k.building_key IS NOT NULL
    UNION
    SELECT e.idx, k.record_id FROM ending e JOIN national_match_key k
        ON k.postcode_key = e.postcode_key AND k.street_key = e.tail
    WHERE k.building_key IS NOT NULL
)
SELECT f.idx, s.*
FROM found f JOIN national_match_spelling s USING (record_id);

-- name: places
-- Every town and locality of an active national record, as its best source spells it, with
-- the number of records naming it (a list's typo that survived names one or two).
SELECT place, count(*) AS records
FROM (SELECT town AS place FROM national_address WHERE status = 'active'
      UNION ALL
      SELECT locality FROM national_address WHERE status = 'active') AS named
WHERE place IS NOT NULL
GROUP BY place;

-- name: known_names
-- The names the last run knew (sql/011_record_reading.sql): queries are read with them.
SELECT kind, area, name, street FROM known_name;

-- name: version
-- Moves whenever the published records change, or a run may have learnt other names: what the
-- places and names above are cached against.
SELECT coalesce(max(event_id), 0) AS version,
       (SELECT coalesce(max(run_id), 0) FROM reconcile_run WHERE status = 'done') AS run
FROM change_event;

-- name: addresses
SELECT uprn, single_line FROM national_address WHERE uprn = ANY(%(uprns)s::bigint[]);
