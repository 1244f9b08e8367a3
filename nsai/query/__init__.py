"""The read side of the gazetteer: lookups, postcodes, search, spatial queries, the change feed
and custodians, over the published national tables only (national_address, uprn_alias,
change_event, custodian). The API and the CLI both call these functions with a connection; the
SQL lives in sql/query/.

Each function checks its own inputs and raises `BadInput` naming the field, or `NotFound`, so
that bad input never reaches the database and every caller reports it the same way.
"""
