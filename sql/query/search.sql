-- Free-text search and typeahead over nsai_search_text(single_line) (sql/004_query.sql), whose
-- trigram index serves both `%>` and LIKE. %(text)s is the query as nsai_search_text renders it.

-- name: search
-- Candidates are the addresses holding something like the query (word similarity at least
-- `threshold`). The score (0-1, four decimals) weighs how closely the query appears in the
-- address (0.45), how many of its words the address holds (0.45: a word found whole counts 1,
-- the start of a word 0.9 (ST: STREET), else its trigram similarity to the likest word (a
-- slip); a number counts only whole, so 1 never finds 12) and, a little, how little else the
-- address says (0.1), so "12 CHURCH STREET" ranks the house above its flats. Filters are NULL
-- when not given; `classification` is a LIKE pattern of letters, digits and the any-characters
-- wildcard. Paged by (score, uprn) after the cursor's `after_score` and `after_uprn`.
SELECT set_config('pg_trgm.word_similarity_threshold', %(threshold)s, true);
WITH candidate AS (
    SELECT uprn, single_line, postcode, classification, logical_status, custodian_code,
           ST_X(geom) AS x, ST_Y(geom) AS y, nsai_search_text(single_line) AS line
    FROM national_address
    WHERE status = 'active'
      AND nsai_search_text(single_line) %%> %(text)s
      AND (%(classification)s::text IS NULL OR classification LIKE %(classification)s)
      AND (%(custodian)s::integer IS NULL OR custodian_code = %(custodian)s)
      AND (%(logical_status)s::smallint IS NULL OR logical_status = %(logical_status)s)
      AND (%(area)s::text IS NULL OR substring(postcode FROM '^[A-Z]+') = %(area)s)
), scored AS (
    SELECT c.*,
           round((0.45 * word_similarity(%(text)s, c.line)
                  + 0.45 * (SELECT avg(CASE
                                 WHEN w = ANY (tokens) THEN 1.0
                                 WHEN w ~ '^[0-9]' THEN 0.0
                                 ELSE (SELECT max(CASE WHEN t LIKE w || '%%' THEN 0.9
                                                       ELSE similarity(w, t) END)
                                       FROM unnest(tokens) t)
                             END)
                            FROM unnest(%(words)s::text[]) w,
                                 string_to_array(c.line, ' ') tokens)
                  + 0.10 * similarity(%(text)s, c.line))::numeric, 4) AS score
    FROM candidate c
)
SELECT * FROM scored
WHERE %(after_score)s::numeric IS NULL
   OR score < %(after_score)s OR (score = %(after_score)s AND uprn > %(after_uprn)s)
ORDER BY score DESC, uprn
LIMIT %(limit)s;

-- name: autocomplete
-- `pattern` holds the typed words in order, wildcards around and between them; addresses
-- starting with what was typed (`prefix`) come first, then the closest, then in natural order.
SELECT uprn, single_line, postcode
FROM national_address
WHERE status = 'active' AND nsai_search_text(single_line) LIKE %(pattern)s
ORDER BY nsai_search_text(single_line) LIKE %(prefix)s DESC,
         word_similarity(%(text)s, nsai_search_text(single_line)) DESC,
         single_line COLLATE nsai_natural, uprn
LIMIT %(limit)s;
