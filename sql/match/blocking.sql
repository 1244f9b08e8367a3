-- Blocking: the candidate pairs worth comparing, from an ordered list of rules. Each pair is
-- tagged with the first rule that found it, so a rule's count is what it added. Every rule
-- already demands what a comparison would veto anyway: the same SAO key (or none on both), and
-- never two records of one duplicate-free source.
-- The pairs go into candidate_pair, and the records read again come in reread_key: temp tables
-- described in nsai/db/tables.py.

-- name: prepare
-- SAO keys without a unit's designator (nsai_sao_identity): a flat and a shop unit of one
-- number in one building are kept apart by their use instead (compare, cluster).
CREATE TEMP TABLE current_record ON COMMIT DROP AS
    SELECT r.record_id, r.source_id, s.duplicate_free,
           nsai_sao_identity(r.sao_key) AS sao_key, r.pao_key, r.building_key,
           r.street_key, r.town_key, r.postcode_key, r.geom
    FROM source_record r JOIN source s USING (source_id)
    WHERE r.removed_batch_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM steward_hold h
                      WHERE h.source_id = r.source_id AND h.source_ref = r.source_ref);
CREATE INDEX ON current_record (postcode_key, pao_key);
CREATE INDEX ON current_record (street_key, town_key, pao_key);
CREATE INDEX ON current_record (building_key, town_key);
CREATE INDEX ON current_record (postcode_key, building_key);
CREATE INDEX ON current_record USING gist (geom);

-- name: reread
-- List records the job read again with the known names (nsai/match/reread.py) and house names
-- it read off the front of a street (nsai/match/glued.py).
UPDATE current_record c
SET sao_key = k.sao_key, pao_key = k.pao_key, building_key = k.building_key,
    street_key = k.street_key, town_key = k.town_key
FROM reread_key k WHERE k.record_id = c.record_id;
ANALYZE current_record;

-- name: postcode_pao
INSERT INTO candidate_pair
SELECT a.record_id, b.record_id, 'postcode+pao'
FROM current_record a JOIN current_record b
  ON b.postcode_key = a.postcode_key AND b.pao_key = a.pao_key AND b.record_id > a.record_id
WHERE a.sao_key IS NOT DISTINCT FROM b.sao_key
  AND NOT (a.source_id = b.source_id AND a.duplicate_free)
ON CONFLICT DO NOTHING;

-- name: street_town_pao
INSERT INTO candidate_pair
SELECT a.record_id, b.record_id, 'street+town+pao'
FROM current_record a JOIN current_record b
  ON b.street_key = a.street_key AND b.town_key = a.town_key AND b.pao_key = a.pao_key
     AND b.record_id > a.record_id
WHERE a.sao_key IS NOT DISTINCT FROM b.sao_key
  AND NOT (a.source_id = b.source_id AND a.duplicate_free)
ON CONFLICT DO NOTHING;

-- name: nearby
-- Within a few tens of metres, with the same number or the same building name: the same
-- property spelt differently (a typo in the street, a missing postcode).
INSERT INTO candidate_pair
SELECT a.record_id, b.record_id, 'within 50 m'
FROM current_record a JOIN current_record b
  ON ST_DWithin(a.geom, b.geom, 50) AND b.record_id > a.record_id
WHERE a.sao_key IS NOT DISTINCT FROM b.sao_key
  AND (b.pao_key = a.pao_key OR b.building_key = a.building_key)
  AND NOT (a.source_id = b.source_id AND a.duplicate_free)
ON CONFLICT DO NOTHING;

-- name: building_town
INSERT INTO candidate_pair
SELECT a.record_id, b.record_id, 'building+town'
FROM current_record a JOIN current_record b
  ON b.building_key = a.building_key AND b.town_key = a.town_key AND b.record_id > a.record_id
WHERE a.sao_key IS NOT DISTINCT FROM b.sao_key
  AND NOT (a.source_id = b.source_id AND a.duplicate_free)
ON CONFLICT DO NOTHING;

-- name: postcode_building
-- A named house whose town is missing or misspelt in one source.
INSERT INTO candidate_pair
SELECT a.record_id, b.record_id, 'postcode+building'
FROM current_record a JOIN current_record b
  ON b.postcode_key = a.postcode_key AND b.building_key = a.building_key
     AND b.record_id > a.record_id
WHERE a.sao_key IS NOT DISTINCT FROM b.sao_key
  AND NOT (a.source_id = b.source_id AND a.duplicate_free)
ON CONFLICT DO NOTHING;

-- name: postcode_named
-- Named buildings without numbers in one postcode unit (a dozen or so delivery points): a
-- misspelt name still finds its twin.
INSERT INTO candidate_pair
SELECT a.record_id, b.record_id, 'postcode+named'
FROM current_record a JOIN current_record b
  ON b.postcode_key = a.postcode_key AND b.record_id > a.record_id
WHERE a.pao_key IS NULL AND b.pao_key IS NULL
  AND similarity(a.building_key, b.building_key) >= 0.4
  AND a.sao_key IS NOT DISTINCT FROM b.sao_key
  AND NOT (a.source_id = b.source_id AND a.duplicate_free)
ON CONFLICT DO NOTHING;

-- name: street_pao
-- A record whose town is missing or spelt otherwise: the same street and number anywhere, as
-- long as that combination is rare (a Church Street is in most towns).
WITH rare AS (
    SELECT street_key, pao_key FROM current_record
    WHERE street_key IS NOT NULL AND pao_key IS NOT NULL
    GROUP BY street_key, pao_key HAVING count(*) <= 12
)
INSERT INTO candidate_pair
SELECT a.record_id, b.record_id, 'street+pao (rare)'
FROM rare JOIN current_record a USING (street_key, pao_key)
JOIN current_record b ON b.street_key = a.street_key AND b.pao_key = a.pao_key
     AND b.record_id > a.record_id
WHERE a.sao_key IS NOT DISTINCT FROM b.sao_key
  AND NOT (a.source_id = b.source_id AND a.duplicate_free)
ON CONFLICT DO NOTHING;

-- name: pairs
SELECT a, b FROM candidate_pair ORDER BY a, b;

-- name: rare_tokens
-- Records sharing a word of their building or street name that few records use ("WHITTLEBURY",
-- not "ROAD"), with the same numbers: catches a house whose street, town and postcode are all
-- spelt otherwise or missing, and a name whose words came in another order.
WITH token AS (
    SELECT DISTINCT record_id, word
    FROM current_record,
         unnest(string_to_array(concat_ws(' ', building_key, street_key), ' ')) AS word
    WHERE length(word) >= 4
), rare AS (
    SELECT word FROM token GROUP BY word HAVING count(*) BETWEEN 2 AND 8
)
INSERT INTO candidate_pair
SELECT a.record_id, b.record_id, 'rare token'
FROM rare
JOIN token ta USING (word)
JOIN token tb ON tb.word = ta.word AND tb.record_id > ta.record_id
JOIN current_record a ON a.record_id = ta.record_id
JOIN current_record b ON b.record_id = tb.record_id
WHERE a.sao_key IS NOT DISTINCT FROM b.sao_key
  AND a.pao_key IS NOT DISTINCT FROM b.pao_key
  AND NOT (a.source_id = b.source_id AND a.duplicate_free)
ON CONFLICT DO NOTHING;
