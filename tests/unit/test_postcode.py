"""UK postcodes: canonical form, format check, parts, and finding one at the end of a line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nsai.address.postcode import (
    POSTCODE_AT_END,
    compact_postcode,
    normalise_postcode,
    outward_code,
    postcode_area,
    postcode_sector,
    split_trailing_postcode,
)

VALID = [
    # the six formats and GIR 0AA
    ("M1 1AE", "M1 1AE"),  # A9 9AA
    ("B33 8TH", "B33 8TH"),  # A99 9AA
    ("CR2 6XH", "CR2 6XH"),  # AA9 9AA
    ("DN55 1PT", "DN55 1PT"),  # AA99 9AA
    ("W1A 1HQ", "W1A 1HQ"),  # A9A 9AA
    ("EC1A 1BB", "EC1A 1BB"),  # AA9A 9AA
    ("GIR 0AA", "GIR 0AA"),
    # any case, any spacing, light punctuation
    ("AB1 2CD", "AB1 2CD"),
    ("ab1 2cd", "AB1 2CD"),
    ("Ab1 2cD", "AB1 2CD"),
    ("AB12CD", "AB1 2CD"),
    ("ab12cd", "AB1 2CD"),
    ("M11AE", "M1 1AE"),
    ("  sw1a   1aa ", "SW1A 1AA"),
    ("  AB1   2CD  ", "AB1 2CD"),
    ("AB1\t2CD", "AB1 2CD"),
    ("AB1-2CD", "AB1 2CD"),
    ("AB1 2CD.", "AB1 2CD"),
    ("A B 1 2 C D", "AB1 2CD"),
    ("DN551PT", "DN55 1PT"),
    ("EC1A1BB", "EC1A 1BB"),
    ("w1a1hq", "W1A 1HQ"),
    ("gir0aa", "GIR 0AA"),
    ("SW1A 0AA", "SW1A 0AA"),
]


@pytest.mark.parametrize(("raw", "canonical"), VALID)
def test_valid_postcodes_are_canonical(raw: str, canonical: str) -> None:
    assert normalise_postcode(raw) == (canonical, True)


INVALID = [
    ("AB1 2C", "AB1 2C"),  # inward too short
    ("AB1 2CDE", "AB1 2CDE"),  # inward too long
    ("ab1 2c", "AB1 2C"),
    ("AB1", "AB1"),  # outward only
    ("1AB 2CD", "1AB 2CD"),  # starts with a digit
    ("ABC1 2DE", "ABC1 2DE"),  # three letters
    ("AB1 CD2", "AB1 CD2"),
    ("AB123 4CD", "AB123 4CD"),
    ("AB1 22D", "AB1 22D"),
    ("A 2CD", "A 2CD"),
    ("GIR 0AB", "GIR 0AB"),
    ("HELLO", "HELLO"),
    ("12345", "12345"),
    ("  not   a postcode ", "NOT A POSTCODE"),
    ("\u00c0B1 2CD", "\u00c0B1 2CD"),  # a non-ASCII letter is not silently dropped
]


@pytest.mark.parametrize(("raw", "kept"), INVALID)
def test_invalid_postcodes_are_kept_and_flagged(raw: str, kept: str) -> None:
    assert normalise_postcode(raw) == (kept, False)


@pytest.mark.parametrize("raw", [None, "", "   ", "\t\n", "-", " . , "])
def test_no_postcode_is_none(raw: str | None) -> None:
    assert normalise_postcode(raw) == (None, False)


PARTS = [
    ("AB1 2CD", "AB12CD", "AB1", "AB1 2", "AB"),
    ("ab12cd", "AB12CD", "AB1", "AB1 2", "AB"),
    ("M1 1AE", "M11AE", "M1", "M1 1", "M"),
    ("B33 8TH", "B338TH", "B33", "B33 8", "B"),
    ("DN55 1PT", "DN551PT", "DN55", "DN55 1", "DN"),
    ("W1A 1HQ", "W1A1HQ", "W1A", "W1A 1", "W"),
    ("EC1A 1BB", "EC1A1BB", "EC1A", "EC1A 1", "EC"),
    ("GIR 0AA", "GIR0AA", "GIR", "GIR 0", "GIR"),
]


@pytest.mark.parametrize(("raw", "compact", "outward", "sector", "area"), PARTS)
def test_postcode_parts(raw: str, compact: str, outward: str, sector: str, area: str) -> None:
    assert compact_postcode(raw) == compact
    assert outward_code(raw) == outward
    assert postcode_sector(raw) == sector
    assert postcode_area(raw) == area


@pytest.mark.parametrize("raw", [None, "", "AB1 2C", "AB1", "HELLO"])
def test_an_invalid_postcode_has_no_parts(raw: str | None) -> None:
    assert compact_postcode(raw) is None
    assert outward_code(raw) is None
    assert postcode_sector(raw) is None
    assert postcode_area(raw) is None


TRAILING = [
    ("14 MILL LANE OLDTOWN AB1 2CD", "14 MILL LANE OLDTOWN", "AB1 2CD"),
    ("14 mill lane oldtown ab12cd", "14 mill lane oldtown", "ab12cd"),
    ("OLDTOWN AB1  2CD  ", "OLDTOWN", "AB1  2CD"),
    ("OLDTOWN AB1 2CD.", "OLDTOWN", "AB1 2CD"),
    ("AB1 2CD", "", "AB1 2CD"),
    (" AB1 2CD ", "", "AB1 2CD"),
    ("OLDTOWN GIR 0AA", "OLDTOWN", "GIR 0AA"),
    ("OLDTOWN DN551PT", "OLDTOWN", "DN551PT"),
    # mistyped: the whole line, or "outward inward" closing a line
    ("AB1 2C", "", "AB1 2C"),
    ("AB1 ZCD", "", "AB1 ZCD"),
    ("AB1", "", "AB1"),
    ("OLDTOWN AB1 2C", "OLDTOWN", "AB1 2C"),
    ("OLDTOWN AB1 2CDE", "OLDTOWN", "AB1 2CDE"),
    # none
    ("14 MILL LANE", "14 MILL LANE", None),
    ("OLDTOWN", "OLDTOWN", None),
    ("OLDTOWNAB1 2CD", "OLDTOWNAB1 2CD", None),
    ("FLAT 2B", "FLAT 2B", None),
    ("UNIT 3", "UNIT 3", None),
    ("OLDTOWN AB1", "OLDTOWN AB1", None),
    ("", "", None),
]


@pytest.mark.parametrize(("line", "rest", "postcode"), TRAILING)
def test_split_trailing_postcode(line: str, rest: str, postcode: str | None) -> None:
    assert split_trailing_postcode(line) == (rest, postcode)


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("14 Mill Lane, Oldtown, AB1 2CD", "AB1 2CD"),
        ("14 Mill Lane, Oldtown ab12cd", "ab12cd"),
        ("14 Mill Lane, Oldtown, AB1 2CD, UK", None),
        ("AB1 2CD 14 Mill Lane", None),
    ],
)
def test_postcode_at_end(line: str, found: str | None) -> None:
    match = POSTCODE_AT_END.search(line)
    assert (match[1] if match else None) == found


_OUTWARD = st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]?", fullmatch=True)
_INWARD = st.from_regex(r"[0-9][A-Z]{2}", fullmatch=True)


@given(_OUTWARD, _INWARD, st.sampled_from(["", " ", "  "]), st.booleans())
def test_every_formatted_postcode_is_valid(
    outward: str, inward: str, gap: str, lower: bool
) -> None:
    raw = f"{outward}{gap}{inward}"
    assert normalise_postcode(raw.lower() if lower else raw) == (f"{outward} {inward}", True)


@given(st.text(max_size=20))
def test_normalise_postcode_never_raises_and_is_stable(raw: str) -> None:
    postcode, valid = normalise_postcode(raw)
    if postcode is None:
        assert not valid
    else:
        assert normalise_postcode(postcode) == (postcode, valid)
