-- A record's history (GET /v1/addresses/{uprn}/history) holds the events that name it as their
-- related record too (a record merged into it, one split from it): found by index, not by
-- reading the whole feed.
CREATE INDEX change_event_related ON change_event (related_uprn) WHERE related_uprn IS NOT NULL;
