-- What `nsai export` writes.

-- name: links
-- Every current source record, linked or not yet reconciled (then the UPRN is empty).
SELECT s.name, r.source_ref, l.uprn, round(l.score::numeric, 4), l.decision
FROM source_record r JOIN source s USING (source_id)
LEFT JOIN address_link l USING (record_id)
WHERE r.removed_batch_id IS NULL
ORDER BY s.name, r.source_ref;
