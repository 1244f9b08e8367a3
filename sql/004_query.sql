-- The read side (nsai/query): how search sees an address, and the indexes behind search,
-- typeahead, postcode lookups and custodian counts. Only active national records are served, so
-- the new indexes are partial.

-- An address as search compares it: apostrophes and full stops dropped ("ST. MARY'S" -> "ST
-- MARYS"), every other run of characters but ASCII letters and digits one blank, upper case.
-- nsai/query/text.py applies the same rule to what users type; a test checks they agree.
CREATE FUNCTION nsai_search_text(line text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN upper(btrim(regexp_replace(regexp_replace(line, '[''.]+', '', 'g'),
                                      '[^A-Za-z0-9]+', ' ', 'g')));

CREATE INDEX national_address_search_trgm ON national_address
    USING gin (nsai_search_text(single_line) gin_trgm_ops) WHERE status = 'active';

-- A postcode unit by equality, a sector or district by prefix (LIKE 'AB1 2__').
CREATE INDEX national_address_postcode_prefix ON national_address (postcode text_pattern_ops)
    WHERE status = 'active';

CREATE INDEX national_address_custodian ON national_address (custodian_code)
    WHERE status = 'active';

-- Natural order: numbers inside text compare as numbers ("FLAT 2" before "FLAT 10").
CREATE COLLATION nsai_natural (provider = icu, locale = 'und-u-kn-true');
