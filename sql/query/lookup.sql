-- Lookups by UPRN, over the published tables only. Parameter: %(uprn)s.

-- name: address
-- A record that was not merged away (active or retired), with its custodian's name, as the
-- JSON of nsai.query.models.Address but for `location` (x and y instead): one column, not 29,
-- because reading a column's description costs the driver more than the row does.
SELECT json_build_object(
           'uprn', n.uprn, 'status', n.status, 'single_line', n.single_line,
           'organisation', n.organisation,
           'sao', json_build_object(
               'start_number', n.sao_start_number, 'start_suffix', n.sao_start_suffix,
               'end_number', n.sao_end_number, 'end_suffix', n.sao_end_suffix,
               'text', n.sao_text),
           'pao', json_build_object(
               'start_number', n.pao_start_number, 'start_suffix', n.pao_start_suffix,
               'end_number', n.pao_end_number, 'end_suffix', n.pao_end_suffix,
               'text', n.pao_text),
           'street', n.street, 'locality', n.locality, 'town', n.town, 'postcode', n.postcode,
           'usrn', n.usrn, 'parent_uprn', n.parent_uprn, 'classification', n.classification,
           'logical_status', n.logical_status,
           'custodian', CASE WHEN n.custodian_code IS NOT NULL
                             THEN json_build_object('code', n.custodian_code, 'name', c.name)
                        END,
           'x', ST_X(n.geom), 'y', ST_Y(n.geom), 'source_count', n.source_count,
           'version', n.version, 'last_changed', n.updated_at) AS record
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
