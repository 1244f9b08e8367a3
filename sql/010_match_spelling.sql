-- The spellings of the national records as bulk matching compares them (sql/query/bulk.sql):
-- a spelling without a town or postcode (a council-tax row's silence) is read with its
-- property's, as most of the property's spellings give it, so that it cannot let the property
-- compete in another town. Read from the gazetteer, never from the other candidates a request
-- found, so that no answer depends on what else was asked.
CREATE VIEW national_match_spelling AS
SELECT k.record_id, k.uprn, k.sao_text, k.classification, k.organisation_key, k.sao_key,
       k.pao_key, k.building_key, k.street_key, k.locality_key,
       coalesce(k.town_key, p.town_key) AS town_key,
       coalesce(k.postcode_key, p.postcode_key) AS postcode_key
FROM national_match_key k
LEFT JOIN LATERAL (
    SELECT mode() WITHIN GROUP (ORDER BY o.town_key) AS town_key,
           mode() WITHIN GROUP (ORDER BY o.postcode_key) AS postcode_key
    FROM national_match_key o
    WHERE o.uprn = k.uprn AND (k.town_key IS NULL OR k.postcode_key IS NULL)
) p ON true;
