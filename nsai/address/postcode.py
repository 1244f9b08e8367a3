"""UK postcodes: the canonical form, its format check, its parts, and finding one in free text.

A postcode is valid when it has one of the standard formats A9 9AA, A99 9AA, AA9 9AA, AA99 9AA,
A9A 9AA, AA9A 9AA, or is GIR 0AA. Only the format is checked, not Royal Mail's letter rules per
position nor whether the unit exists: "AB1 2CD" is valid. This module is the one place that
reads, checks and splits postcodes.

Decisions:
- Case, blanks and the characters . , - _ are ignored when checking ("ab12cd", "AB1  2CD",
  "AB1-2CD." are all "AB1 2CD").
- An invalid postcode is never dropped: `normalise_postcode` returns it upper-cased with its
  blanks collapsed, and False.
- No postcode at all (None, "", blanks or punctuation only) is (None, False); `AddressParts`
  then holds postcode None and postcode_valid None.
"""

from __future__ import annotations

import re
from typing import Final

_IGNORED: Final = re.compile(r"[\s.,\-_]+")
_VALID: Final = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")
_GIR: Final = "GIR0AA"

# A well-formed postcode closing a line, with or without its inner space, any case.
POSTCODE_AT_END: Final = re.compile(
    r"(?<![A-Z0-9])(GIR\s*0AA|[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2})\W*$", re.IGNORECASE
)
# A whole line shaped like a postcode with a slip in it ("AB1 2C", "AB1 ZCD") or an outward
# code alone ("AB1"): kept as an invalid postcode rather than read as a town.
_POSTCODE_LIKE_LINE: Final = re.compile(
    r"[A-Z]{1,2}[0-9][A-Z0-9]?(?:\s*(?:[0-9O][A-Z0-9]{0,3}|[A-Z0-9]{3}))?\W*", re.IGNORECASE
)
# The same slip closing a longer line: outward code, blank, an inward code starting with a digit.
_POSTCODE_LIKE_AT_END: Final = re.compile(
    r"(?<=\s)([A-Z]{1,2}[0-9][A-Z0-9]?\s+[0-9][A-Z0-9]{1,3})\W*$", re.IGNORECASE
)


def normalise_postcode(raw: str | None) -> tuple[str | None, bool]:
    """("AB1 2CD", True) for a valid postcode in any form; (cleaned raw, False) for an invalid
    one; (None, False) when there is none."""
    if not raw:
        return None, False
    upper = raw.upper()
    compact = _IGNORED.sub("", upper)
    if not compact:
        return None, False
    if compact == _GIR:
        return "GIR 0AA", True
    match = _VALID.fullmatch(compact)
    if match is not None:
        return f"{match[1]} {match[2]}", True
    return " ".join(upper.split()), False


def compact_postcode(raw: str | None) -> str | None:
    """ "AB12CD" for a valid postcode in any form, else None."""
    postcode, valid = normalise_postcode(raw)
    return postcode.replace(" ", "") if valid and postcode else None


def outward_code(raw: str | None) -> str | None:
    """ "AB1" (the district) for a valid postcode in any form, else None."""
    postcode, valid = normalise_postcode(raw)
    return postcode.split(" ")[0] if valid and postcode else None


def postcode_sector(raw: str | None) -> str | None:
    """ "AB1 2" for a valid postcode in any form, else None."""
    postcode, valid = normalise_postcode(raw)
    return postcode[:-2] if valid and postcode else None


def postcode_area(raw: str | None) -> str | None:
    """ "AB" (the letters of the outward code) for a valid postcode in any form, else None."""
    outward = outward_code(raw)
    if outward is None or outward == "GIR":
        return outward
    return outward[:2] if outward[1].isalpha() else outward[:1]


def split_trailing_postcode(line: str) -> tuple[str, str | None]:
    """`line` without the postcode that closes it, and that postcode as written (or None).

    A well-formed postcode is found at the end of any line; a mistyped one only when it is the
    whole line, or closes a line as "outward inward" with the inward code starting with a digit.
    """
    match = POSTCODE_AT_END.search(line) or _POSTCODE_LIKE_AT_END.search(line)
    if match is not None:
        return line[: match.start()].rstrip(), match[1]
    stripped = line.strip()
    if _POSTCODE_LIKE_LINE.fullmatch(stripped):
        return "", stripped
    return line, None
