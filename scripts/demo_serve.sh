#!/usr/bin/env bash
# The end of `make demo`: the API over the demo region's national records, anonymous reads on,
# with requests to try (real UPRNs, postcodes and a fresh API key for matching).
set -euo pipefail
NSAI=${NSAI:-.venv/bin/nsai}
PORT=${PORT:-8000}
url=$("$NSAI" db url)
IFS='|' read -r uprn postcode x y street <<<"$(psql "$url" -Atc "
    SELECT uprn, replace(postcode, ' ', ''), round(ST_X(geom)), round(ST_Y(geom)),
           lower(concat_ws(' ', pao_start_number, street, town))
    FROM national_address
    WHERE status = 'active' AND postcode IS NOT NULL AND pao_start_number IS NOT NULL
      AND sao_start_number IS NULL AND geom IS NOT NULL
    ORDER BY uprn LIMIT 1")"
typed=${street:0:8}
stamp=$(date +%Y%m%d-%H%M%S)
key=$("$NSAI" keys create --name "demo-$stamp" --scopes read,match 2>/dev/null)
steward=$("$NSAI" keys create --name "demo-steward-$stamp" --scopes read,match,steward 2>/dev/null)
api="http://127.0.0.1:$PORT"
cat <<TRY

The API is starting on $api (docs: $api/docs). Try, from another terminal:

  curl "$api/v1/addresses/$uprn"
  curl "$api/v1/postcodes/$postcode/addresses"
  curl "$api/v1/search?q=${street// /+}&limit=5"
  curl "$api/v1/autocomplete?q=${typed// /+}"
  curl "$api/v1/nearest?point=$x,$y&radius=100&limit=3"
  curl "$api/v1/addresses?point=$x,$y&radius=50&format=geojson"
  curl "$api/v1/changes?limit=5"
  curl "$api/v1/custodians"
  curl -X POST "$api/v1/match" -H "X-API-Key: $key" -H 'Content-Type: application/json' \\
       -d '{"records":[{"id":"a","address":"$street"},{"id":"b","address":"flat 99, $street"}]}'

The review queue holds the pairs reconciliation was unsure of: \`nsai review list\`, or the
console at $api/ with the steward key below (it can also read and match):

  $steward

Stop the API with Ctrl-C.

TRY
exec env NSAI_ANONYMOUS_READS=true "$NSAI" serve --port "$PORT" --workers 2
