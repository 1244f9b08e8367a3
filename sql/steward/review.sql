-- The review queue: pairs reconciliation was unsure of, with both records side by side.

-- name: items
-- Filtered, in review_id order after %(after)s; a record of either side matching a filter
-- counts. %(statuses)s: which statuses to list.
SELECT v.review_id
FROM review_item v
JOIN source_record a ON a.record_id = v.record_a
JOIN source_record b ON b.record_id = v.record_b
JOIN source sa ON sa.source_id = a.source_id
JOIN source sb ON sb.source_id = b.source_id
WHERE v.status = ANY(%(statuses)s::text[])
  AND (%(after)s::bigint IS NULL OR v.review_id > %(after)s::bigint)
  AND (%(source)s::text IS NULL OR %(source)s::text IN (sa.name, sb.name))
  AND (%(custodian)s::int IS NULL OR %(custodian)s::int IN (a.custodian_code, b.custodian_code))
  AND (%(area)s::text IS NULL
       OR substring(a.postcode from '^[A-Z]+') = %(area)s::text
       OR substring(b.postcode from '^[A-Z]+') = %(area)s::text)
  AND v.score >= %(min_score)s AND v.score <= %(max_score)s
ORDER BY v.review_id
LIMIT %(limit)s;

-- name: counts
SELECT count(*) FILTER (WHERE status = 'open'), count(*) FILTER (WHERE status = 'deferred')
FROM review_item;

-- name: item
SELECT v.review_id, v.record_a, v.record_b, v.score, v.status, v.version, v.explanation,
       v.decided_by, ST_Distance(a.geom, b.geom) AS distance_m, v.pairs
FROM review_item v
JOIN source_record a ON a.record_id = v.record_a
JOIN source_record b ON b.record_id = v.record_b
WHERE v.review_id = ANY(%(ids)s::bigint[])
ORDER BY v.review_id;

-- name: records
-- The review's records as loaded, each with its source and national UPRN.
SELECT r.record_id, s.name AS source, r.source_ref, l.uprn, r.organisation,
       r.sao_start_number, r.sao_start_suffix, r.sao_end_number, r.sao_end_suffix, r.sao_text,
       r.pao_start_number, r.pao_start_suffix, r.pao_end_number, r.pao_end_suffix, r.pao_text,
       r.street, r.locality, r.town, r.postcode, r.classification, r.logical_status,
       ST_X(r.geom) AS x, ST_Y(r.geom) AS y
FROM source_record r JOIN source s USING (source_id)
LEFT JOIN address_link l USING (record_id)
WHERE r.record_id = ANY(%(ids)s::bigint[]);

-- name: for_update
SELECT review_id, record_a, record_b, status, version, decided_by, pairs
FROM review_item WHERE review_id = %(review)s FOR UPDATE;

-- name: decide
UPDATE review_item SET status = %(status)s, decided_at = now(), decided_by = %(actor)s,
    version = version + 1
WHERE review_id = %(review)s;

-- name: national_of
SELECT record_id, uprn FROM address_link WHERE record_id = ANY(%(ids)s::bigint[]);
