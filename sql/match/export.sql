-- What `nsai export` writes.

-- name: links
-- Every current source record, linked or not yet reconciled (then the UPRN is empty).
SELECT s.name, r.source_ref, l.uprn, round(l.score::numeric, 4), l.decision
FROM source_record r JOIN source s USING (source_id)
LEFT JOIN address_link l USING (record_id)
WHERE r.removed_batch_id IS NULL
ORDER BY s.name, r.source_ref;

-- name: addresses
SELECT uprn, single_line, organisation,
       sao_start_number, sao_start_suffix, sao_end_number, sao_end_suffix, sao_text,
       pao_start_number, pao_start_suffix, pao_end_number, pao_end_suffix, pao_text,
       street, locality, town, postcode, classification, logical_status, custodian_code,
       parent_uprn, usrn, rpc, source_count, version, updated_at, geom
FROM national_address WHERE status = 'active' ORDER BY uprn;
