-- The bulk matcher's view of the published records (nsai/query/bulk.py): every current source
-- record linked to an active national record, with its match keys, so that each spelling a
-- source gives a property can be found. Reconcile keeps it in step with address_link in its
-- publishing transaction; readers never see the two disagree.
-- A SAO key as matching compares it: a unit's designator is not part of its identity ("UNIT 3"
-- of a trading estate is "3" in another source, as "FLAT 3" is: the keys drop flat words
-- already). nsai/match/records.py sao_identity is its twin for keys made in Python.
CREATE FUNCTION nsai_sao_identity(sao_key text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN regexp_replace(sao_key, '^UNIT ', '');

CREATE TABLE national_match_key (
    record_id         bigint PRIMARY KEY REFERENCES source_record,
    uprn              bigint NOT NULL REFERENCES national_address,
    sao_text          text,
    classification    text,
    organisation_key  text,
    sao_key           text,  -- as matching compares it: without a unit designator
    pao_key           text,
    building_key      text,
    street_key        text,
    locality_key      text,
    town_key          text,
    postcode_key      text
);
CREATE INDEX national_match_key_uprn ON national_match_key (uprn);
CREATE INDEX national_match_key_postcode ON national_match_key (postcode_key, pao_key);
CREATE INDEX national_match_key_street ON national_match_key (street_key, town_key, pao_key);
CREATE INDEX national_match_key_street_pao ON national_match_key (street_key, pao_key);
CREATE INDEX national_match_key_building ON national_match_key (building_key, town_key);
CREATE INDEX national_match_key_postcode_building ON national_match_key (postcode_key, building_key);

INSERT INTO national_match_key
SELECT r.record_id, l.uprn, r.sao_text, r.classification, r.organisation_key,
       nsai_sao_identity(r.sao_key), r.pao_key, r.building_key, r.street_key,
       r.locality_key, r.town_key, r.postcode_key
FROM address_link l
JOIN source_record r USING (record_id)
JOIN national_address n ON n.uprn = l.uprn AND n.status = 'active'
WHERE r.removed_batch_id IS NULL;
-- The bulk matcher's second pass: everything in a town.
CREATE INDEX national_match_key_town ON national_match_key (town_key, pao_key);
