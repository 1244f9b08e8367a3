"""Normalising address text, and the match keys the matcher blocks and compares on.

Cleaning is an ordered list of small named steps, the same for every kind of text:

- text steps (TEXT_STEPS): `upper_case`; `drop_apostrophes` ("ST. JOHN'S" -> "ST. JOHNS");
  `punctuation_to_spaces` ("ST JOHNS", "&" -> "AND"); `join_number_ranges` ("10 - 12" ->
  "10-12", "2 / 14" -> "2/14"); `loose_dashes_to_spaces` (any other "-" or "/":
  "STRATFORD-UPON-AVON" -> "STRATFORD UPON AVON");
- then the text is split on blanks, and word steps (WORD_STEPS) follow:
  `attach_number_suffixes` ("12 A HIGH STREET" -> "12A HIGH STREET"), `canonical_sao_words`
  (APT -> APARTMENT, FLT -> FLAT, FLR -> FLOOR, 1ST -> FIRST, GFF -> GROUND FLOOR FLAT, ...),
  `drop_number_words` ("NO. 14" -> "14") and `correct_sao_slips` ("FKAT 3" -> "FLAT 3",
  "FIRST FLOOOR" -> "FIRST FLOOR").

`normalise_text` stops there (organisation and other names). `normalise_street` then expands
street and building words (`expand_street_words`: RD -> ROAD, AVE/AV -> AVENUE, GDNS -> GARDENS,
CT -> COURT, HSE -> HOUSE, ...) with two words decided by position: ST is STREET as the last word
or before NORTH/SOUTH/EAST/WEST ("CHURCH ST", "HIGH ST NORTH"), otherwise SAINT ("ST MARYS RD"
-> "SAINT MARYS ROAD"); DR is DRIVE except as the first of several words (a doctor).
`normalise_town` expands place words (`expand_place_words`: ST -> SAINT, GT -> GREAT,
LT -> LITTLE, ...). Each of the three is idempotent.

Flat words (FLAT, APARTMENT, MAISONETTE, BEDSIT, FLATLET, and the abbreviations APT, APPT, FLT,
MAIS) are spelt out in parsed parts, and dropped from the keys: "FLAT 2", "APARTMENT 2" and "2"
are one flat. Other designators (UNIT, SUITE, STUDIO, ROOM, SHOP, OFFICE, ...) stay in the keys,
so a shop unit 2 and flat 2 of one building are kept apart. Floors are words of the key:
GROUND FLOOR FLAT, GROUND FLOOR and GFF all give "GROUND FLOOR".

The keys (`MatchKeys`, None wherever the part is missing or normalises to nothing):

- street_key: the street, `normalise_street`.
- town_key, locality_key: the town and the locality, `normalise_town`.
- postcode_key: the postcode without its space ("AB12CD") when it is valid, else None: a
  malformed postcode is kept in the parts but blocks nothing.
- sao_key: the secondary object's identity: its text without flat words, then its numbers
  ("12A", "10-12"). SAO_TEXT "FLAT 2", SAO_TEXT "FLAT" + SAO 2 and SAO 2 alone all give "2";
  "FLAT A" gives "A"; "GROUND FLOOR FLAT" gives "GROUND FLOOR"; "UNIT" + 3 gives "UNIT 3".
  A text of flat words alone with no number ("FLAT": the flat over a shop) gives "FLAT", never
  None, so it does not read as the building it is in.
- pao_key: the primary object's numbers: "12", "12A", "10-12" (so "12", "12A" and "10-12" all
  differ), or a PAO_TEXT that is only such a number; None for a name alone. The name is
  building_key, so a house given with and without its name keeps one pao_key.
- building_key: the PAO_TEXT as a building or house name: street words expanded, flat words and
  a leading THE dropped ("The Old Rectory" = "OLD RECTORY", "Victoria Hse" = "VICTORIA HOUSE").
- organisation_key: the organisation, `normalise_text`, without a leading THE and without
  trailing legal forms (LTD, LIMITED, PLC, LLP, & CO, ...).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from rapidfuzz.distance import OSA

from nsai.address.parts import AddressParts
from nsai.address.postcode import compact_postcode
from nsai.address.render import number_range, pao_numbers, sao_numbers

DIGITS: Final = frozenset("0123456789")
LETTERS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

# A house or flat number as one word: 12, 12A, 10-12, 10A-12B, and "2/14" (flat 2 of 14).
# Four digits at most: a longer number is not a BS7666 number, so it stays text.
NUMBER_WORD: Final = re.compile(
    r"(?:([0-9]{1,4})([A-Z]?)/)?([0-9]{1,4})([A-Z]?)(?:-([0-9]{1,4})([A-Z]?))?"
)

# A flat's identifier: a number word without "/" ("2", "2A", "1-3") or a letter ("A", "B2").
_IDENTIFIER: Final = re.compile(r"[0-9]{1,4}[A-Z]?(?:-[0-9]{1,4}[A-Z]?)?|[A-Z][0-9]{0,3}")
_SLIPPED_SAO_WORDS: Final = ("FLAT", "UNIT", "APARTMENT", "MAISONETTE")

# --- vocabulary (full words; abbreviations map onto them) -------------------------------------

STREET_TYPES: Final = frozenset((
    "ROAD", "STREET", "LANE", "AVENUE", "CLOSE", "DRIVE", "WAY", "CRESCENT", "GARDENS", "TERRACE",
    "GROVE", "WALK", "RISE", "MEWS", "ROW", "SQUARE", "PARADE", "BOULEVARD", "APPROACH",
    "ESPLANADE", "CAUSEWAY", "CHASE", "HIGHWAY", "BYPASS",
))  # fmt: skip
# Words that end street names and the names of buildings and places alike ("Rose Court").
STREET_OR_PLACE_TYPES: Final = frozenset((
    "COURT", "PLACE", "PARK", "GREEN", "HILL", "GATE", "YARD", "WHARF", "QUAY",
))  # fmt: skip
BUILDING_WORDS: Final = frozenset((
    "HOUSE", "LODGE", "COTTAGE", "COTTAGES", "FARM", "BARN", "BARNS", "MANSIONS", "HEIGHTS",
    "POINT", "APARTMENTS", "BUILDING", "BUILDINGS", "CHAMBERS", "TOWER", "HALL", "CENTRE", "WORKS",
    "ESTATE", "VIEW", "DENE", "CROFT", "MEAD", "BANK", "RECTORY", "VICARAGE", "FORGE", "STABLES",
    "GRANARY", "MALTINGS", "BUNGALOW",
))  # fmt: skip
FLAT_WORDS: Final = frozenset(("FLAT", "APARTMENT", "MAISONETTE", "BEDSIT", "FLATLET"))
# SAO words that name a flat only with an identifier after them ("UNIT 3", not "THE UNIT").
SAO_DESIGNATORS: Final = frozenset((
    "UNIT", "SUITE", "STUDIO", "ROOM", "SHOP", "OFFICE", "KIOSK", "BERTH", "PITCH",
))  # fmt: skip
# SAO words that stand alone as well as numbered.
SAO_NAMES: Final = frozenset(("PENTHOUSE", "ANNEXE", "ANNEX"))
FLOOR_LEVELS: Final = frozenset((
    "BASEMENT", "GROUND", "LOWER", "UPPER", "FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH",
    "SEVENTH", "EIGHTH", "NINTH", "TENTH", "TOP", "MEZZANINE",
))  # fmt: skip
DIRECTIONS: Final = frozenset(("NORTH", "SOUTH", "EAST", "WEST"))
# Words that mark a name as an organisation's: legal forms, professions and common trades.
ORGANISATION_WORDS: Final = frozenset((
    "LTD", "LIMITED", "PLC", "LLP", "LLC", "INC", "CIC", "CO", "COMPANY", "SONS", "BROS",
    "BROTHERS", "SOLICITORS", "ACCOUNTANTS", "ASSOCIATES", "SURVEYORS", "ARCHITECTS", "SOCIETY",
    "PRACTICE", "SURGERY", "PARTNERSHIP", "PARTNERS", "SERVICES", "COUNCIL", "AGENTS", "BAKERY",
    "BAKERS", "BARBERS", "BOOKSHOP", "BUILDERS", "BUTCHERS", "CAFE", "CATERING", "CHEMISTS",
    "CLEANERS", "CLINIC", "DELICATESSEN", "DENTAL", "ELECTRICAL", "ENGINEERING", "FLORIST",
    "FLORISTS", "HAIRDRESSERS", "HARDWARE", "HOTEL", "JEWELLERS", "JOINERY", "LAUNDERETTE",
    "LOGISTICS", "MERCHANTS", "MOTORS", "NEWSAGENTS", "OPTICIANS", "PHARMACY", "PLUMBING",
    "RESTAURANT", "SALON", "STORES", "SUPERMARKET", "SUPPLIES", "TAKEAWAY", "TEXTILES",
))  # fmt: skip
LEGAL_FORMS: Final = frozenset(("LTD", "LIMITED", "PLC", "LLP", "LLC", "INC", "CIC", "CO", "AND"))
NUMBER_WORDS: Final = frozenset(("NO", "NUMBER"))

STREET_ABBREVIATIONS: Final = {
    "RD": "ROAD", "STR": "STREET", "LN": "LANE", "AVE": "AVENUE", "AV": "AVENUE",
    "AVN": "AVENUE", "CL": "CLOSE", "CRES": "CRESCENT", "CRESC": "CRESCENT", "CRS": "CRESCENT",
    "DRV": "DRIVE", "GDNS": "GARDENS", "GDN": "GARDEN", "GRN": "GREEN", "GRO": "GROVE",
    "GR": "GROVE", "GRV": "GROVE", "PL": "PLACE", "SQ": "SQUARE", "TER": "TERRACE",
    "TERR": "TERRACE", "TCE": "TERRACE", "CT": "COURT", "CRT": "COURT", "PK": "PARK", "WY": "WAY",
    "WLK": "WALK", "WK": "WALK", "MWS": "MEWS", "PDE": "PARADE", "BLVD": "BOULEVARD",
    "BVD": "BOULEVARD", "APPR": "APPROACH", "ESP": "ESPLANADE", "CSWY": "CAUSEWAY",
    "HSE": "HOUSE", "HTS": "HEIGHTS", "BLDG": "BUILDING", "BLDGS": "BUILDINGS",
    "CTG": "COTTAGE", "COTT": "COTTAGE", "CTGS": "COTTAGES", "COTTS": "COTTAGES", "FM": "FARM",
    "EST": "ESTATE", "IND": "INDUSTRIAL", "CTR": "CENTRE", "CNTR": "CENTRE", "MT": "MOUNT",
    "GT": "GREAT", "LT": "LITTLE", "LTL": "LITTLE", "UPR": "UPPER", "LWR": "LOWER",
    "NTH": "NORTH", "STH": "SOUTH",
}  # fmt: skip
PLACE_ABBREVIATIONS: Final = {
    "ST": "SAINT", "GT": "GREAT", "LT": "LITTLE", "LTL": "LITTLE", "UPR": "UPPER",
    "LWR": "LOWER", "NTH": "NORTH", "STH": "SOUTH", "MKT": "MARKET",
}  # fmt: skip
SAO_ABBREVIATIONS: Final = {
    "APT": ("APARTMENT",), "APPT": ("APARTMENT",), "APTS": ("APARTMENTS",), "FLT": ("FLAT",),
    "MAIS": ("MAISONETTE",), "MAISONNETTE": ("MAISONETTE",), "FLR": ("FLOOR",),
    "GRD": ("GROUND",), "GND": ("GROUND",), "GRND": ("GROUND",), "BSMT": ("BASEMENT",),
    "1ST": ("FIRST",), "2ND": ("SECOND",), "3RD": ("THIRD",), "4TH": ("FOURTH",),
    "5TH": ("FIFTH",), "6TH": ("SIXTH",), "7TH": ("SEVENTH",), "8TH": ("EIGHTH",),
    "9TH": ("NINTH",), "10TH": ("TENTH",), "GFF": ("GROUND", "FLOOR", "FLAT"),
    "FFF": ("FIRST", "FLOOR", "FLAT"), "SFF": ("SECOND", "FLOOR", "FLAT"),
}  # fmt: skip

# --- text steps --------------------------------------------------------------------------------

_APOSTROPHES: Final = "'\u2018\u2019`\u00b4"
_PUNCTUATION: Final = ',.;:!?"()[]{}<>*+=_|\\@#~$%^\u201c\u201d\u201e\u00ab\u00bb\u2026'
_DASHES: Final = "\u2010\u2011\u2012\u2013\u2014"
_SEPARATORS: Final = ",;\n\r\v\f"
_APOSTROPHE_TABLE: Final = str.maketrans("", "", _APOSTROPHES)
_PUNCTUATION_TABLE: Final = str.maketrans(
    dict.fromkeys(_PUNCTUATION, " ") | dict.fromkeys(_DASHES, "-")
)
# The parser's single pass over a line: both tables above, keeping segment separators as ","
# and brackets as words of their own (a bracketed qualifier belongs to the name before it).
_LINE_TABLE: Final = str.maketrans(
    dict.fromkeys(_APOSTROPHES)
    | dict.fromkeys(_PUNCTUATION, " ")
    | dict.fromkeys(_DASHES, "-")
    | dict.fromkeys(_SEPARATORS, ",")
    | {"(": " ( ", ")": " ) "}
)
_OTHER_SYMBOLS: Final = re.compile(r"[^\w\s&/,()-]|_")
_RANGE_GAP: Final = re.compile(r"(?:(?<=[0-9])|(?<=[0-9][A-Z]))\s*([-/])\s*(?=[0-9])")
_LOOSE_DASH: Final = re.compile(r"(?<![0-9])(?<![0-9][A-Z])[-/]|[-/](?![0-9])")


def upper_case(text: str) -> str:
    return text.upper()


def drop_apostrophes(text: str) -> str:
    """ "JOHN'S" -> "JOHNS": an apostrophe joins, it never separates."""
    return text.translate(_APOSTROPHE_TABLE)


def punctuation_to_spaces(text: str) -> str:
    """Punctuation and symbols separate words; dashes of every width are "-"."""
    return _blank_symbols(text.translate(_PUNCTUATION_TABLE))


def _blank_symbols(text: str) -> str:
    """Symbols no table lists (non-ASCII ones) become blanks, and "&" becomes "AND"."""
    if not text.isascii():
        text = _OTHER_SYMBOLS.sub(" ", text)
    return text.replace("&", " AND ") if "&" in text else text


def join_number_ranges(text: str) -> str:
    """ "10 - 12" -> "10-12" and "2 / 14" -> "2/14", so a range or flat/house is one word."""
    return _RANGE_GAP.sub(r"\1", text) if "-" in text or "/" in text else text


def loose_dashes_to_spaces(text: str) -> str:
    """A "-" or "/" that is not inside a number word separates words."""
    return _LOOSE_DASH.sub(" ", text) if "-" in text or "/" in text else text


# --- word steps --------------------------------------------------------------------------------


def attach_number_suffixes(words: list[str]) -> list[str]:
    """ "12 A HIGH STREET" -> "12A HIGH STREET", "FLAT 2 A" -> "FLAT 2A"."""
    last = len(words) - 1
    i = 0
    while i < last:
        word, after = words[i], words[i + 1]
        suffix = len(after) == 1 and after in LETTERS and word[-1] in DIGITS
        # Welsh "Y" (the) starts a name: "10 Y GRAIG" is 10 on Y GRAIG, not 10Y.
        suffix = suffix and not (after == "Y" and i + 1 < last)
        if suffix and NUMBER_WORD.fullmatch(word + after):
            words[i : i + 2] = [word + after]
            last -= 1
        i += 1
    return words


def canonical_sao_words(words: list[str]) -> list[str]:
    """Flat and floor abbreviations spelt out: APT -> APARTMENT, GFF -> GROUND FLOOR FLAT."""
    if SAO_ABBREVIATIONS.keys().isdisjoint(words):
        return words
    out: list[str] = []
    for word in words:
        out.extend(SAO_ABBREVIATIONS.get(word, (word,)))
    return out


def correct_sao_slips(words: list[str]) -> list[str]:
    """One slip of the keys in a flat word opening the text before its identifier ("FKAT 3" ->
    "FLAT 3", "UNT B" -> "UNIT B") or in FLOOR after a level ("FIRST FLOOOR" -> "FIRST FLOOR").
    A slip is one letter changed, added, dropped or swapped, never the first letter."""
    if len(words) > 1 and _IDENTIFIER.fullmatch(words[1]):
        words[0] = _slip_of(words[0], _SLIPPED_SAO_WORDS) or words[0]
    if not FLOOR_LEVELS.isdisjoint(words):
        for i in range(1, len(words)):
            if words[i - 1] in FLOOR_LEVELS and _slip_of(words[i], ("FLOOR",)):
                words[i] = "FLOOR"
    return words


def _slip_of(word: str, targets: tuple[str, ...]) -> str | None:
    for target in targets:
        if (
            word[0] == target[0]
            and abs(len(word) - len(target)) <= 1
            and OSA.distance(word, target, score_cutoff=1) == 1
        ):
            return target
    return None


def one_slip(x: str, y: str) -> bool:
    """One letter changed, added, dropped or swapped, not the first: how people mistype. Real
    near-namesakes pass too ("SAINT MARKS ROAD"), so a match on it alone weighs little."""
    return x[0] == y[0] and abs(len(x) - len(y)) <= 1 and OSA.distance(x, y, score_cutoff=1) <= 1


def drop_number_words(words: list[str]) -> list[str]:
    """ "NO 14" -> "14": the word for "number" before a number says nothing."""
    if NUMBER_WORDS.isdisjoint(words):
        return words
    kept: list[str] = []
    for word in reversed(words):
        if not (word in NUMBER_WORDS and kept and NUMBER_WORD.fullmatch(kept[-1])):
            kept.append(word)
    kept.reverse()
    return kept


TEXT_STEPS: Final[tuple[Callable[[str], str], ...]] = (
    upper_case,
    drop_apostrophes,
    punctuation_to_spaces,
    join_number_ranges,
    loose_dashes_to_spaces,
)
WORD_STEPS: Final[tuple[Callable[[list[str]], list[str]], ...]] = (
    attach_number_suffixes,
    canonical_sao_words,
    drop_number_words,
    correct_sao_slips,
)


def tokenise(text: str) -> list[str]:
    """The words of `text` after all cleaning steps."""
    for step in TEXT_STEPS:
        text = step(text)
    return _words(text)


def line_segments(line: str) -> list[str]:
    """The parser's segments of one line: `upper_case`, `drop_apostrophes` and
    `punctuation_to_spaces` in one pass (but brackets, kept as words "(" and ")"), cut at
    commas, semicolons and line breaks."""
    return _blank_symbols(line.upper().translate(_LINE_TABLE)).split(",")


def segment_words(segment: str) -> list[str]:
    """The words of one of `line_segments`: the remaining text steps, then the word steps."""
    return _words(loose_dashes_to_spaces(join_number_ranges(segment)))


def _words(text: str) -> list[str]:
    words = text.split()
    for step in WORD_STEPS:
        words = step(words)
    return words


# --- expansions --------------------------------------------------------------------------------


def expand_street_words(words: list[str]) -> list[str]:
    """Street and building abbreviations spelt out, ST and DR by position."""
    last = len(words) - 1
    out: list[str] = []
    for i, word in enumerate(words):
        if word == "ST":
            street = i == last or (i > 0 and words[i + 1] in DIRECTIONS)
            out.append("STREET" if street else "SAINT")
        elif word == "DR":
            out.append("DR" if i == 0 and last > 0 else "DRIVE")
        else:
            out.append(STREET_ABBREVIATIONS.get(word, word))
    return out


def expand_place_words(words: list[str]) -> list[str]:
    """Place abbreviations spelt out (ST is SAINT), and street-type ones after the first word:
    an estate or park named as a locality is abbreviated as a street is ("CASTLE PK")."""
    return [
        PLACE_ABBREVIATIONS.get(word) or (STREET_ABBREVIATIONS.get(word, word) if i else word)
        for i, word in enumerate(words)
    ]


def normalise_text(text: str) -> str:
    """A name cleaned: "St. John's" -> "ST JOHNS"."""
    return " ".join(tokenise(text))


# Street and place names repeat across an address list, and a reading tries many spans of
# words: each name is cleaned once.
@lru_cache(maxsize=1 << 16)
def normalise_street(text: str) -> str:
    """ "St Mary's Rd" -> "SAINT MARYS ROAD"; "Church St." -> "CHURCH STREET"."""
    return " ".join(expand_street_words(tokenise(text)))


@lru_cache(maxsize=1 << 16)
def normalise_town(text: str) -> str:
    """ "St. Ives" -> "SAINT IVES"; "Gt Yarmouth" -> "GREAT YARMOUTH"."""
    return " ".join(expand_place_words(tokenise(text)))


# --- keys --------------------------------------------------------------------------------------


@dataclass(slots=True)  # not frozen, for speed: see nsai/match/records.py, MatchRecord
class MatchKeys:
    """Normalised keys of one address for blocking and comparison (see the module docstring)."""

    street_key: str | None
    town_key: str | None
    locality_key: str | None
    postcode_key: str | None
    sao_key: str | None
    pao_key: str | None
    building_key: str | None
    organisation_key: str | None


def match_keys(parts: AddressParts) -> MatchKeys:
    return MatchKeys(
        street_key=normalise_street(parts.street) or None if parts.street else None,
        town_key=normalise_town(parts.town) or None if parts.town else None,
        locality_key=normalise_town(parts.locality) or None if parts.locality else None,
        postcode_key=compact_postcode(parts.postcode),
        sao_key=_sao_key(parts),
        pao_key=_pao_key(parts),
        building_key=_building_key(parts.pao_text),
        organisation_key=_organisation_key(parts.organisation),
    )


def _sao_key(parts: AddressParts) -> str | None:
    number = sao_numbers(parts)
    words = tokenise(parts.sao_text) if parts.sao_text else []
    kept = [word for word in words if word not in FLAT_WORDS]
    if number:
        # A numbered flat is that number on every floor a source gives it: "FLAT 1 GROUND FLOOR".
        kept = [word for word in kept if word not in FLOOR_LEVELS and word != "FLOOR"]
    while kept and kept[-1] in ("AT", "OF"):
        kept.pop()  # "FLAT AT" a hotel is its flat; "CARAVAN IN GROUNDS OF" a house
    if not kept and not number:
        return "FLAT" if words else None
    kept = expand_street_words(kept)
    # SAO_TEXT "FLAT 2" with SAO number 2 as well says 2 once.
    if number and (not kept or kept[-1] != number):
        kept.append(number)
    return " ".join(kept)


def _pao_key(parts: AddressParts) -> str | None:
    number = pao_numbers(parts)
    if number:
        return number
    return _plain_number(tokenise(parts.pao_text)) if parts.pao_text else None


def _plain_number(words: list[str]) -> str | None:
    """ "14A" when `words` are one house number or range ("014a"), else None."""
    if len(words) != 1:
        return None
    match = NUMBER_WORD.fullmatch(words[0])
    if match is None or match[1]:
        return None
    end = int(match[5]) if match[5] else None
    return number_range(int(match[3]), match[4], end, match[6] or "")


def _building_key(pao_text: str | None) -> str | None:
    if not pao_text:
        return None
    words = tokenise(pao_text)
    if _plain_number(words):
        return None
    words = [word for word in words if word not in FLAT_WORDS]
    if len(words) > 1 and words[0] == "THE":
        del words[0]
    return " ".join(expand_street_words(words)) or None


def _organisation_key(organisation: str | None) -> str | None:
    if not organisation:
        return None
    words = tokenise(organisation)
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    if len(words) > 1 and words[0] == "THE":
        del words[0]
    return " ".join(words) or None
