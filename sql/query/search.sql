-- Free-text search and typeahead over nsai_search_text(single_line) (sql/004_query.sql), whose
-- trigram index serves both `%>` and LIKE. %(text)s is the query as nsai_search_text renders it.

-- name: search
-- Candidates are the addresses holding every word of the query (as the start or any part of a
-- word: ST finds STREET) or, only when none does, those holding something like the query (word
-- similarity at least `threshold`: a slip in a word). Every word's pattern (`patterns`) is
-- checked; the longest six of three characters or more (`slot1`..`slot6`, the longest again where
-- there are fewer; the query has one at least) are also index conditions, which the trigram index
-- answers together: a word needs three characters to have a trigram. The score (0-1, four
-- decimals) weighs how closely the query appears in the address (0.45), how many of its words the
-- address holds (0.45: a word found whole counts 1, the start of a word 0.9 (ST: STREET), else
-- its trigram similarity to the likest word (a slip); a number counts only whole, so 1 never
-- finds 12) and, a little, how little else the address says (0.1), so "12 CHURCH STREET" ranks
-- the house above its flats. Filters are NULL when not given; `classification` is a LIKE pattern
-- of letters, digits and the any-characters wildcard. Paged by (score, uprn) after the cursor's
-- `after_score` and `after_uprn`. The addresses holding every word are read `candidates` at most:
-- a query whose words a great many addresses hold ("FLAT 2") ranks that many of them, the first
-- found, not all. The fuzzy set is read whole, or the address a slip was meant for could be left
-- out. The threshold is set for the session, not the transaction: the API reads in autocommit,
-- and every statement using the operator sets it first.
SELECT set_config('pg_trgm.word_similarity_threshold', %(threshold)s, false);
WITH filtered AS NOT MATERIALIZED (
    SELECT uprn, single_line, postcode, classification, logical_status, custodian_code, geom
    FROM national_address
    WHERE status = 'active'
      AND (%(classification)s::text IS NULL OR classification LIKE %(classification)s)
      AND (%(custodian)s::integer IS NULL OR custodian_code = %(custodian)s)
      AND (%(logical_status)s::smallint IS NULL OR logical_status = %(logical_status)s)
      AND (%(area)s::text IS NULL OR substring(postcode FROM '^[A-Z]+') = %(area)s)
), every_word AS MATERIALIZED (
    SELECT * FROM filtered
    WHERE nsai_search_text(single_line) LIKE %(slot1)s
      AND nsai_search_text(single_line) LIKE %(slot2)s
      AND nsai_search_text(single_line) LIKE %(slot3)s
      AND nsai_search_text(single_line) LIKE %(slot4)s
      AND nsai_search_text(single_line) LIKE %(slot5)s
      AND nsai_search_text(single_line) LIKE %(slot6)s
      AND nsai_search_text(single_line) LIKE ALL (%(patterns)s::text[])
    LIMIT %(candidates)s
), candidate AS (
    SELECT * FROM every_word
    UNION ALL
    SELECT * FROM filtered
    WHERE NOT EXISTS (SELECT FROM every_word) AND nsai_search_text(single_line) %%> %(text)s
), scored AS (
    SELECT c.uprn, c.single_line, c.postcode, c.classification, c.logical_status,
           c.custodian_code, ST_X(c.geom) AS x, ST_Y(c.geom) AS y, s.line,
           round((0.45 * word_similarity(%(text)s, s.line)
                  + 0.45 * (SELECT avg(CASE
                                 WHEN w = ANY (tokens) THEN 1.0
                                 WHEN w ~ '^[0-9]' THEN 0.0
                                 ELSE (SELECT max(CASE WHEN t LIKE w || '%%' THEN 0.9
                                                       ELSE similarity(w, t) END)
                                       FROM unnest(tokens) t)
                             END)
                            FROM unnest(%(words)s::text[]) w,
                                 string_to_array(s.line, ' ') tokens)
                  + 0.10 * similarity(%(text)s, s.line))::numeric, 4) AS score
    FROM candidate c, nsai_search_text(c.single_line) AS s (line)
)
SELECT * FROM scored
WHERE %(after_score)s::numeric IS NULL
   OR score < %(after_score)s OR (score = %(after_score)s AND uprn > %(after_uprn)s)
ORDER BY score DESC, uprn
LIMIT %(limit)s;

-- name: autocomplete
-- Addresses starting with what was typed (`text`: the range from it up to `past`, its last
-- character moved on by one, in the order of the prefix index of sql/008_typeahead_prefix.sql;
-- a range rather than LIKE, so that a prepared plan uses it too); only when none does,
-- addresses holding the typed words in the order typed (`pattern`: wildcards around and
-- between them). Each kind is read `pool` at a time at most, so that a start a hundred
-- thousand addresses share answers as fast as a rare one; the suggestions are the closest of
-- those, then in natural order.
WITH starting AS (
    SELECT uprn, single_line, postcode, nsai_search_text(single_line) AS line
    FROM national_address
    WHERE status = 'active' AND nsai_search_text(single_line) COLLATE "C" >= %(text)s
      AND nsai_search_text(single_line) COLLATE "C" < %(past)s
    ORDER BY nsai_search_text(single_line) COLLATE "C"
    LIMIT %(pool)s
), holding AS (
    SELECT uprn, single_line, postcode, nsai_search_text(single_line) AS line
    FROM national_address
    WHERE status = 'active' AND nsai_search_text(single_line) LIKE %(pattern)s
      AND NOT EXISTS (SELECT FROM starting)
    LIMIT %(pool)s
)
SELECT uprn, single_line, postcode
FROM (SELECT *, true AS starts FROM starting UNION ALL SELECT *, false FROM holding) found
ORDER BY starts DESC, word_similarity(%(text)s, line) DESC, single_line COLLATE nsai_natural, uprn
LIMIT %(limit)s;
