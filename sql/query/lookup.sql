-- Lookups by UPRN, over the published tables only. Parameter: %(uprn)s.

-- name: address
-- A record that was not merged away (active or retired), with its custodian's name.
SELECT n.uprn, n.status, n.single_line, n.organisation,
       n.sao_start_number, n.sao_start_suffix, n.sao_end_number, n.sao_end_suffix, n.sao_text,
       n.pao_start_number, n.pao_start_suffix, n.pao_end_number, n.pao_end_suffix, n.pao_text,
       n.street, n.locality, n.town, n.postcode, n.usrn, n.parent_uprn, n.classification,
       n.logical_status, n.custodian_code, c.name AS custodian_name,
       ST_X(n.geom) AS x, ST_Y(n.geom) AS y, n.source_count, n.version, n.updated_at
FROM national_address n
LEFT JOIN custodian c ON c.custodian_code = n.custodian_code
WHERE n.uprn = %(uprn)s AND n.status <> 'merged';

-- name: successor
-- Where a merged-away UPRN, or another source's UPRN of a property (an alias), resolves: the end
-- of its chain of merges. No row: the UPRN was never published.
WITH RECURSIVE hop (uprn, depth) AS (
    SELECT coalesce((SELECT a.national_uprn FROM uprn_alias a WHERE a.uprn = %(uprn)s),
                    %(uprn)s::bigint), 0
    UNION ALL
    SELECT n.successor_uprn, h.depth + 1
    FROM hop h JOIN national_address n ON n.uprn = h.uprn
    WHERE n.status = 'merged' AND h.depth < 100
)
SELECT h.uprn FROM hop h JOIN national_address n ON n.uprn = h.uprn
WHERE n.status <> 'merged';

-- name: published
SELECT EXISTS (SELECT 1 FROM national_address WHERE status = 'active') AS published;
