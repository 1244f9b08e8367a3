-- Spatial queries in British National Grid (inputs are converted before they get here).

-- name: nearest
-- The closest active addresses to the point (x, y) within `radius` metres, nearest first.
WITH here AS (SELECT ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 27700) AS point)
SELECT n.uprn, n.single_line, n.postcode, n.classification, n.logical_status, n.custodian_code,
       ST_X(n.geom) AS x, ST_Y(n.geom) AS y, ST_Distance(n.geom, here.point) AS distance_m
FROM national_address n, here
WHERE n.status = 'active' AND ST_DWithin(n.geom, here.point, %(radius)s)
ORDER BY n.geom <-> here.point, n.uprn
LIMIT %(limit)s;

-- name: in_area
-- Active addresses in `area` (WKT, EPSG:27700, boundary included), by UPRN after the cursor's
-- `after`.
SELECT uprn, single_line, postcode, classification, logical_status, custodian_code,
       ST_X(geom) AS x, ST_Y(geom) AS y
FROM national_address
WHERE status = 'active' AND ST_Intersects(geom, ST_GeomFromText(%(area)s, 27700))
  AND (%(after)s::bigint IS NULL OR uprn > %(after)s)
ORDER BY uprn
LIMIT %(limit)s;

-- name: in_radius
-- Active addresses within `radius` metres of the point (x, y), by UPRN after `after`.
SELECT uprn, single_line, postcode, classification, logical_status, custodian_code,
       ST_X(geom) AS x, ST_Y(geom) AS y
FROM national_address
WHERE status = 'active'
  AND ST_DWithin(geom, ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 27700), %(radius)s)
  AND (%(after)s::bigint IS NULL OR uprn > %(after)s)
ORDER BY uprn
LIMIT %(limit)s;
