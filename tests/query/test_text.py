"""What users type is cleaned exactly as the database cleans addresses for search."""

from __future__ import annotations

import psycopg
import pytest

from nsai.query.errors import BadInput
from nsai.query.text import query_words, search_text

SAMPLES = [
    "FLAT 13, HIGHGATE HEIGHTS, 12 ST MARY'S ROAD, VERBY, OX1 9AL",
    "St. John's  Wood,\tLondon  NW8 9AA",
    "72-74 Church Street / Ashwell",
    "J.P. Morgan & Co. (Ltd.)",
    "Ŵyddfa Café, Straße 5",
    "100% _under_score_ 'quoted' \"double\"",
    "  ,.'  ",
    "a\x01b\x1fc\x7fd",
]


def test_python_and_sql_clean_text_alike(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        for sample in SAMPLES:
            row = conn.execute("SELECT nsai_search_text(%s)", (sample,)).fetchone()
            assert row is not None
            assert search_text(sample) == row[0], sample


def test_cleaning_leaves_nothing_that_sql_could_read_as_syntax() -> None:
    assert search_text("St. Mary's Rd,\x00 Verby") == "ST MARYS RD VERBY"
    assert search_text("'; DROP TABLE x; -- %_") == "DROP TABLE X"


def test_query_words_refuse_long_text_and_text_without_a_word_to_look_for() -> None:
    assert query_words("q", "12 church st") == ["12", "CHURCH", "ST"]
    assert query_words("q", "12 St. Ab'c") == ["12", "ST", "ABC"]
    for nothing in (" %_' ", "st", "12 a", "s.t 1'2"):
        with pytest.raises(BadInput, match="q: give a word of at least 3 letters or digits"):
            query_words("q", nothing)
    with pytest.raises(BadInput, match="q: at most 200 characters"):
        query_words("q", "a" * 201)
