-- Addresses by postcode unit, sector or district. %(pattern)s is a LIKE pattern built from a
-- checked postcode ('AB1 2CD', 'AB1 2__' or 'AB1 %'): letters, digits, a blank, _ and %.

-- name: count
SELECT count(*) FROM national_address WHERE status = 'active' AND postcode LIKE %(pattern)s;

-- name: addresses
-- Natural order: street, house number, suffix, range, building name, then the flats in it.
SELECT uprn, single_line, postcode, classification, logical_status, custodian_code,
       ST_X(geom) AS x, ST_Y(geom) AS y
FROM national_address
WHERE status = 'active' AND postcode LIKE %(pattern)s
ORDER BY street COLLATE nsai_natural, town COLLATE nsai_natural,
         pao_start_number NULLS LAST, pao_start_suffix NULLS FIRST, pao_end_number NULLS FIRST,
         pao_text COLLATE nsai_natural NULLS FIRST,
         sao_start_number NULLS FIRST, sao_start_suffix NULLS FIRST,
         sao_text COLLATE nsai_natural NULLS FIRST, uprn
LIMIT %(limit)s OFFSET %(offset)s;
