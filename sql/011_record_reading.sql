-- What reconciliation knows beyond the records as loaded (nsai/address/known.py).
--
-- record_reading: how the last run read a list record that the names other records know read
-- otherwise than the loader did ("64 the hawthorns pant cf482ej" as 64, THE HAWTHORNS, PANT):
-- its parts and keys as matched, beside the record as loaded. Each run writes what it read
-- (and removes what it no longer reads so); steward operations and bulk matching read records
-- through it, as the run did.
CREATE TABLE record_reading (
    record_id         bigint PRIMARY KEY REFERENCES source_record ON DELETE CASCADE,
    organisation      text,
    sao_start_number  smallint,
    sao_start_suffix  char(1),
    sao_end_number    smallint,
    sao_end_suffix    char(1),
    sao_text          text,
    pao_start_number  smallint,
    pao_start_suffix  char(1),
    pao_end_number    smallint,
    pao_end_suffix    char(1),
    pao_text          text,
    street            text,
    locality          text,
    town              text,
    street_key        text,
    town_key          text,
    locality_key      text,
    sao_key           text,  -- as matching compares it: without a unit designator
    pao_key           text,
    building_key      text,
    organisation_key  text
);

-- A record's match keys as the last run read it: its reading's where it has one.
CREATE VIEW record_match_keys AS
SELECT r.record_id, r.classification,
       CASE WHEN x.record_id IS NULL THEN r.sao_text ELSE x.sao_text END AS sao_text,
       CASE WHEN x.record_id IS NULL THEN r.organisation_key ELSE x.organisation_key END
           AS organisation_key,
       CASE WHEN x.record_id IS NULL THEN nsai_sao_identity(r.sao_key) ELSE x.sao_key END
           AS sao_key,
       CASE WHEN x.record_id IS NULL THEN r.pao_key ELSE x.pao_key END AS pao_key,
       CASE WHEN x.record_id IS NULL THEN r.building_key ELSE x.building_key END AS building_key,
       CASE WHEN x.record_id IS NULL THEN r.street_key ELSE x.street_key END AS street_key,
       CASE WHEN x.record_id IS NULL THEN r.locality_key ELSE x.locality_key END AS locality_key,
       CASE WHEN x.record_id IS NULL THEN r.town_key ELSE x.town_key END AS town_key,
       r.postcode_key
FROM source_record r LEFT JOIN record_reading x USING (record_id);

-- known_name: the names the last run knew, that bulk matching reads a query with as the run
-- read the lists: streets by area ("S" + postcode sector, "D" + district, "T" + town, "" all),
-- places (towns and localities) by district, named buildings and sites with their street, and
-- their numbered units ("BUILDING|2") with the street.
CREATE TABLE known_name (
    kind    text NOT NULL CHECK (kind IN ('street', 'place', 'building', 'unit')),
    area    text NOT NULL,
    name    text NOT NULL,
    street  text,
    PRIMARY KEY (kind, area, name)
);
