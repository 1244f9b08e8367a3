-- Typeahead (GET /v1/autocomplete) reads the addresses starting with what was typed first: a
-- range of this index, in its order, stopping after a few hundred however many addresses share
-- the start. COLLATE "C" lets LIKE 'PREFIX%' use it whatever the database's collation.
CREATE INDEX national_address_search_prefix ON national_address
    ((nsai_search_text(single_line)) COLLATE "C") WHERE status = 'active';
