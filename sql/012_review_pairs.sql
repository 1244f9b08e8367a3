-- One review item per pair of national records in question: the pair of source records it
-- shows (record_a, record_b: the likeliest) and every other uncertain pair of source records
-- between the same two national records, as [[record_a, record_b, score], ...], so that a
-- steward decides once for all of them.
ALTER TABLE review_item ADD COLUMN pairs jsonb NOT NULL DEFAULT '[]';
