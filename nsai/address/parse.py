"""The one free-text address parser of NSAI: an address on one line or several, into BS7666 parts.

How an address is read:

1. The lines are upper-cased and cut into segments at commas, semicolons and line breaks; empty
   segments and a closing country (UK, ENGLAND, ...) are dropped.
2. The postcode is the `postcode` argument when it has one; else the postcode closing the last
   segment, with or without its space, in any case. A postcode closing the text is removed from
   it either way. A mistyped one is kept and flagged invalid (`split_trailing_postcode`).
3. Each segment is cleaned into words (`segment_words`) and cut into pieces:
   SAO - a floor, a flat word or designator, and an identifier: "FLAT 2", "FLAT A", "UNIT 3",
   "GROUND FLOOR FLAT", "APARTMENT 4"; NUMBER - a number, range or "2/14" alone; NUMBERED - a
   number and the words after it: "14 MILL LANE", "4 VICTORIA HOUSE"; TEXT - words without a
   number. A number or an SAO starts a new piece, and a piece ends after a word that closes a
   name (a street type, COURT, PARK, ..., a building word such as HOUSE or COTTAGE) unless the
   name goes on ("ROSE HILL ROAD", "HIGH STREET NORTH", "HARTLEY BUILDING SOCIETY"): so
   "ROSE COTTAGE MILL LANE OLDTOWN" gives three pieces. ST closes a name only when no street
   type follows ("14 CHURCH ST OLDTOWN" against "14 OLD ST PAULS ROAD"). A number alone
   followed by a name is that name's number ("14", "MILL LANE").
4. The street is the last NUMBERED piece, or the TEXT piece after it when that is the street
   the numbered piece is a building on ("4 VICTORIA HOUSE, STATION ROAD": SAO 4 of VICTORIA
   HOUSE, as BS7666 renders it). With no number: the last TEXT piece ending in a street type
   ("LARK RISE, KESTREL STREET"), else the last but one ending in COURT, PARK, ... (the last is
   rather the town), else the first TEXT piece, unless it looks like a building ("ROSE
   COTTAGE", "THE LAURELS"), which leaves the address without a street. Pieces naming an
   organisation are never the street.
5. Before the street, SAO pieces make the SAO and a NUMBER piece gives the SAO number ("2, 14
   MILL LANE"). The last TEXT piece is the building (PAO_TEXT); the other TEXT pieces are the
   organisation when they hold an organisation word (LTD, PLC, SOLICITORS, ...) or come before
   the SAO, and are dropped otherwise. A numbered building ("4 VICTORIA HOUSE") gives its number
   to the SAO when there is no other SAO, else to the PAO when the street has none.
6. After the street, TEXT pieces are places. Trailing counties (WESTSHIRE, KENT, ...) go when
   something precedes them; one place is the town, two or more the locality and (the last) the
   town.

Parts come out normalised: upper case without punctuation; street and building with
`normalise_street`, locality and town with `normalise_town`, the organisation with
`normalise_text`; SAO text with flat and floor words spelt out ("FLAT", "GROUND FLOOR FLAT").
A numbered flat gives SAO_TEXT "FLAT" and SAO number 2, a lettered one SAO_TEXT "FLAT A".
No string makes `parse_address` raise: what cannot be placed is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from nsai.address.normalise import (
    BUILDING_WORDS,
    DIGITS,
    DIRECTIONS,
    FLAT_WORDS,
    FLOOR_LEVELS,
    NUMBER_WORD,
    ORGANISATION_WORDS,
    SAO_DESIGNATORS,
    SAO_NAMES,
    STREET_ABBREVIATIONS,
    STREET_OR_PLACE_TYPES,
    STREET_TYPES,
    expand_place_words,
    expand_street_words,
    line_segments,
    segment_words,
)
from nsai.address.parts import AddressParts
from nsai.address.postcode import normalise_postcode, split_trailing_postcode

# start, start suffix, end, end suffix
_Numbers = tuple[int, str | None, int | None, str | None]

_SAO, _NUMBER, _NUMBERED, _TEXT = range(4)
# "22/24" and "85/86" are ranges of house numbers; "2/14" is flat 2 of number 14.
SLASHED_RANGE: Final = 4

# Word classes as bits, so one dict lookup classifies a word or its abbreviation.
_STREET = 1
_STREET_OR_PLACE = 2
_BUILDING = 4
_ORGANISATION = 8
_CLOSES_NAME = _STREET | _STREET_OR_PLACE | _BUILDING


def _word_classes() -> dict[str, int]:
    classes: dict[str, int] = {}
    for words, bit in (
        (STREET_TYPES, _STREET),
        (STREET_OR_PLACE_TYPES, _STREET_OR_PLACE),
        (BUILDING_WORDS, _BUILDING),
        (ORGANISATION_WORDS, _ORGANISATION),
    ):
        for word in words:
            classes[word] = classes.get(word, 0) | bit
    for short, full in STREET_ABBREVIATIONS.items():
        if full in classes:
            classes[short] = classes[full]
    classes["DR"] = _STREET  # ST is decided by position, never looked up
    return classes


_WORD_CLASS: Final = _word_classes()
_SAO_STARTERS: Final = FLOOR_LEVELS | FLAT_WORDS | SAO_DESIGNATORS | SAO_NAMES | {"THE"}
# Words that place one property by another: "FLAT AT", "CARAVAN ADJACENT", "REAR OF".
_RELATIONS: Final = frozenset(("AT", "ADJ", "ADJACENT", "ADJOINING", "BEHIND", "OPPOSITE"))
_RELATIONS_BEFORE_OF: Final = frozenset(
    ("GROUNDS", "REAR", "NORTH", "SOUTH", "EAST", "WEST", "SIDE", "PART", "OUTSIDE", "FRONT")
)
_LETTER_ID: Final = re.compile(r"[A-Z][0-9]{0,3}")
_COUNTRY: Final = re.compile(
    # Possessive: adjacent optional separators ("G B R", "GB.") backtracked quadratically.
    r"\W*+(?:U\W*+K|UNITED\s++KINGDOM|ENGLAND|G\W*+B(?:\W*+R)?|GREAT\s++BRITAIN)\W*+"
)
_COUNTIES: Final = frozenset(
    (
        "CLEVELAND", "CO DURHAM", "COUNTY DURHAM", "CORNWALL", "CUMBRIA", "DEVON",
        "DORSET", "EAST SUSSEX", "ESSEX", "GREATER LONDON", "GREATER MANCHESTER", "HUMBERSIDE",
        "ISLE OF WIGHT", "KENT", "MERSEYSIDE", "MIDDLESEX", "NORFOLK", "NORTHUMBERLAND",
        "RUTLAND", "SOMERSET", "SUFFOLK", "SURREY", "SUSSEX", "TYNE AND WEAR", "WEST MIDLANDS",
        "WEST SUSSEX",
    )
)  # fmt: skip


@dataclass(slots=True)
class _Piece:
    kind: int
    words: list[str]
    numbers: _Numbers | None = None
    slash: _Numbers | None = None  # the flat of "2/14"


def parse_address(text: str | Sequence[str], postcode: str | None = None) -> AddressParts:
    """The BS7666 parts of a free-text address: one line, or several (some may be empty).

    `postcode`, when it holds one, is the address's postcode (a separate column); otherwise the
    postcode is read from the end of the text. See the module docstring for the rules.
    """
    segments = _segments(text)
    found = None
    if segments:
        rest, found = split_trailing_postcode(segments[-1])
        if found is not None:
            segments[-1] = rest
            _drop_countries(segments)
    canonical, valid = normalise_postcode(postcode)
    if canonical is None:
        canonical, valid = normalise_postcode(found)
    word_lists = [words for segment in segments if (words := segment_words(segment))]
    assembly = _Assembly()
    assembly.read(_merge_numbers(_pieces(word_lists)))
    return assembly.parts(canonical, valid if canonical is not None else None)


def _segments(text: str | Sequence[str]) -> list[str]:
    """The cleaned segments of all lines that hold more than blanks and dashes, without a
    closing country."""
    lines = (text,) if isinstance(text, str) else text
    segments: list[str] = []
    for line in lines:
        if line:
            for segment in line_segments(line):
                if segment.strip().strip("-/"):
                    segments.append(segment)
    _drop_countries(segments)
    return segments


def _drop_countries(segments: list[str]) -> None:
    while segments and (not segments[-1].strip() or _COUNTRY.fullmatch(segments[-1])):
        segments.pop()


# --- pieces ------------------------------------------------------------------------------------


def _pieces(segments: list[list[str]]) -> list[_Piece]:
    pieces: list[_Piece] = []
    for bracketed in segments:
        words, held = _unbracketed(bracketed)
        i, n = _relative(words), len(words)
        if i:
            pieces.append(_Piece(_SAO, words[:i]))
        while i < n:
            word = words[i]
            sao = None
            if word in _SAO_STARTERS:
                # Bracketed words after an SAO word are its qualifiers, not what follows it.
                sao = _read_sao(words[: min((k for k in held if k > i), default=n)], i)
            numbers = _number(word) if sao is None else None
            if sao is not None:
                piece, i = sao
            elif numbers is not None:
                piece = _Piece(_NUMBERED, [], numbers[1], numbers[0])
                i = _read_name(words, i + 1, piece.words)
                if not piece.words:
                    piece.kind = _NUMBER
            else:
                piece = _Piece(_TEXT, [])
                i = _read_name(words, i, piece.words)
            while i < n and i in held:  # "HIGH STREET (ABOVE BRIDGE)" is one street
                piece.words.append(words[i])
                i += 1
            pieces.append(piece)
    return pieces


def _unbracketed(words: list[str]) -> tuple[list[str], set[int]]:
    """The words without brackets, and where the bracketed ones are. Brackets opening a
    segment qualify what follows them: "(SECOND FLOOR) FLAT 12 X HOUSE" is read as FLAT 12
    (SECOND FLOOR) X HOUSE; a segment that is all brackets as if it had none ("(FLAT), 22 X
    LANE")."""
    if words and words[0] == "(" and ")" in words:
        close = words.index(")")
        rest = words[close + 1 :]
        if rest:
            # After the number it qualifies, or the word: "FLAT 12 (SECOND FLOOR)".
            at = next((k + 1 for k, word in enumerate(rest) if _number(word)), 1)
            words = [*rest[:at], *words[: close + 1], *rest[at:]]
    out: list[str] = []
    held: set[int] = set()
    depth = 0
    for word in words:
        if word == "(":
            depth += 1
        elif word == ")":
            depth = max(0, depth - 1)
        else:
            if depth and out:
                held.add(len(out))
            out.append(word)
    return out, held


def _relative(words: list[str]) -> int:
    """Where the property a segment is placed by starts ("CARAVAN IN GROUNDS OF | 106
    HEOLGERRIG", "FLAT AT | ANTELOPE HOTEL", "LAND TO THE WEST OF | MILL FARM"): the words
    before it are another property there, an SAO. 0 when the segment places nothing."""
    for i in range(1, len(words) - 1):
        word = words[i]
        if word in _RELATIONS:
            return i + 1
        if word == "OF" and words[i - 1] in _RELATIONS_BEFORE_OF:
            return i + 1
    return 0


def _number(word: str) -> tuple[_Numbers | None, _Numbers] | None:
    """(flat numbers of "2/14" or None, house numbers) when `word` is a number word."""
    if word[0] not in DIGITS:
        return None
    match = NUMBER_WORD.fullmatch(word)
    if match is None:
        return None
    house = (int(match[3]), match[4] or None, int(match[5]) if match[5] else None, match[6] or None)
    if not match[1]:
        return None, house
    flat: _Numbers = (int(match[1]), match[2] or None, None, None)
    if house[2] is None and 0 < house[0] - flat[0] <= SLASHED_RANGE:
        return None, _slashed_range(flat, house)  # "22/24", "85/86": numbers 22 to 24
    return flat, house


def _slashed_range(flat: _Numbers, house: _Numbers) -> _Numbers:
    """The house numbers from the first of "85/86" to the second."""
    return (flat[0], flat[1], house[0], house[1])


def _read_name(words: list[str], i: int, out: list[str]) -> int:
    """Appends the words of one name from `i` to `out`; returns where the next piece starts."""
    first, n = i, len(words)
    while i < n:
        word = words[i]
        if word[0] in DIGITS and _number(word) is not None:
            break
        if word in _SAO_STARTERS and _read_sao(words, i) is not None:
            break
        out.append(word)
        i += 1
        if first < i - 1 and i < n and _closes_name(words, i - 1):
            break
    return i


def _closes_name(words: list[str], j: int) -> bool:
    """Whether the name ends at word `j`, which has words before and after it."""
    if _closes_next(words, j + 1):
        return False  # the name goes on to close one word later: "ROSE HILL ROAD"
    if j + 2 == len(words) and words[j + 1] in DIRECTIONS:
        return False  # "HIGH STREET NORTH"
    if _WORD_CLASS.get(words[j + 1], 0) & _ORGANISATION:
        return False  # "HARTLEY BUILDING SOCIETY", "STATION ROAD MOTORS"
    if words[j] == "ST":
        return not any(_WORD_CLASS.get(word, 0) & _STREET for word in words[j + 1 :])
    return bool(_WORD_CLASS.get(words[j], 0) & _CLOSES_NAME)


def _closes_next(words: list[str], k: int) -> bool:
    """Whether word `k` closes a name and is the last such word of a run ("ROAD" in "HILL ROAD
    OLDTOWN", not "FARM" in "FARM LANE"); ST never counts, it is rather SAINT there."""
    if words[k] == "ST" or not _WORD_CLASS.get(words[k], 0) & _CLOSES_NAME:
        return False
    return k + 1 == len(words) or not _WORD_CLASS.get(words[k + 1], 0) & _CLOSES_NAME


def _read_sao(words: list[str], i: int) -> tuple[_Piece, int] | None:
    """The SAO piece starting at word `i` and where the next piece starts, or None."""
    n = len(words)
    if words[i] == "THE":
        if i + 1 == n or words[i + 1] not in SAO_NAMES:
            return None
        i += 1  # "THE ANNEXE" is the annexe
    j = i + _floor_length(words, i)
    floor = j > i
    designator = words[j] if j < n else ""
    if designator in FLAT_WORDS or designator in SAO_DESIGNATORS or designator in SAO_NAMES:
        j += 1
    elif not floor:
        return None
    label = words[i:j]
    numbers: _Numbers | None = None
    identified = False
    if j < n:
        after = _number(words[j])
        if after is not None:
            # After a floor a number is the house's, unless another number follows it.
            if after[0] is None and (not floor or (j + 1 < n and _number(words[j + 1]))):
                numbers = after[1]
                identified = True
                j += 1
        elif _LETTER_ID.fullmatch(words[j]):
            label.append(words[j])
            identified = True
            j += 1
    if not floor and not identified and not _stands_alone(designator, words, j):
        return None
    return _Piece(_SAO, label, numbers), j


def _stands_alone(designator: str, words: list[str], j: int) -> bool:
    """Whether an SAO word with no identifier is an SAO: "ANNEXE", or "FLAT" closing its
    segment or before the house number; never "UNIT" alone ("THE UNIT") nor "FLAT PACK"."""
    if designator in SAO_NAMES:
        return True
    return designator in FLAT_WORDS and (j == len(words) or _number(words[j]) is not None)


def _floor_length(words: list[str], i: int) -> int:
    """How many words of a floor start at `i`: "GROUND FLOOR", "LOWER GROUND", "BASEMENT"."""
    level = words[i]
    if level not in FLOOR_LEVELS:
        return 0
    if level == "BASEMENT":
        return 1
    n = len(words)
    j = i + 1
    if level in ("LOWER", "UPPER") and j < n and words[j] == "GROUND":
        j += 1
    if j < n:
        if words[j] == "FLOOR":
            return j + 1 - i
        if words[j] in FLAT_WORDS:
            return j - i
    return 0


def _merge_numbers(pieces: list[_Piece]) -> list[_Piece]:
    """A number alone followed by a name is that name's number ("14", "Mill Lane")."""
    merged: list[_Piece] = []
    for piece in pieces:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.kind == _NUMBER
            and piece.kind == _TEXT
            and not _is_organisation(piece)
        ):
            previous.kind = _NUMBERED
            previous.words = piece.words
        else:
            merged.append(piece)
    return merged


def _is_organisation(piece: _Piece) -> bool:
    """Whether a piece names an organisation: it has an organisation word ("ACME LTD",
    "HARTLEYS BAKERY") and is neither a street ("BAKERY LANE") nor an old building."""
    words = piece.words
    if words[0] == "OLD" or words[:2] == ["THE", "OLD"]:
        return False  # a building named for what it was: "THE OLD BAKERY"
    return any(_WORD_CLASS.get(word, 0) & _ORGANISATION for word in words) and not _ends_in(
        words, _STREET
    )


def _ends_in(words: list[str], word_class: int) -> bool:
    last = words[-1]
    if last == "ST":
        return word_class == _STREET
    return bool(_WORD_CLASS.get(last, 0) & word_class)


def _looks_like_building(words: list[str]) -> bool:
    return words[0] == "THE" or _ends_in(words, _BUILDING)


def _building_on_street(building: list[str], street: list[str]) -> bool:
    """Whether the numbered "4 VICTORIA HOUSE" before "STATION ROAD" is a building on that
    street: the street ends in a street type and the building does not, or the building ends
    in a building word and the street in COURT, PLACE, PARK, ... ("13 CANALSIDE HOUSE,
    MARLBOROUGH COURT"). "4 SWAN COURT, WORCESTER PARK" stays a number on SWAN COURT."""
    if _ends_in(street, _STREET):
        return not _ends_in(building, _STREET)
    return _ends_in(street, _STREET_OR_PLACE) and _ends_in(building, _BUILDING)


def _street_at(pieces: list[_Piece]) -> tuple[int | None, bool]:
    """Which piece is the street, and whether it is a building instead (no street)."""
    numbered = None
    for k in range(len(pieces) - 1, -1, -1):
        if pieces[k].kind == _NUMBERED:
            numbered = k
            break
    if numbered is not None:
        k = numbered + 1
        if (
            k < len(pieces)
            and pieces[k].kind == _TEXT
            and not _is_organisation(pieces[k])
            and _building_on_street(pieces[numbered].words, pieces[k].words)
        ):
            return k, False
        return numbered, False
    names = [k for k, piece in enumerate(pieces) if piece.kind == _TEXT]
    names = [k for k in names if not _is_organisation(pieces[k])]
    for k in reversed(names):
        if _ends_in(pieces[k].words, _STREET):
            return k, False
    # The last piece is rather the town than a street: "ROSE COURT, ABBEY PARK" is one.
    for k in reversed(names[:-1] or names):
        if _ends_in(pieces[k].words, _STREET_OR_PLACE):
            return k, False
    # A house whose name does not say so, its street and a place ("SPRINGFIELD, WAUN BANT,
    # MERTHYR TYDFIL"); a name that says so keeps the places after it ("THE WILLOWS, LITTLE
    # BRAMLEY, OLDTOWN"), and an organisation first is the house already.
    places = [k for k in names if not _is_county(pieces[k].words)]
    first = next((k for k, piece in enumerate(pieces) if piece.kind == _TEXT), None)
    if len(places) >= 3 and first == places[0] and not _looks_like_building(pieces[first].words):
        return places[1], False
    if names:
        return names[0], _looks_like_building(pieces[names[0]].words)
    return None, False


# --- assembly ----------------------------------------------------------------------------------


class _Assembly:
    """The parts as they are found, before they are joined into AddressParts."""

    __slots__ = (
        "building",
        "organisation",
        "pao_numbers",
        "places",
        "sao_numbers",
        "sao_words",
        "street",
    )

    def __init__(self) -> None:
        self.organisation: list[list[str]] = []
        self.sao_words: list[str] = []
        self.sao_numbers: _Numbers | None = None
        self.building: list[str] | None = None
        self.pao_numbers: _Numbers | None = None
        self.street: list[str] | None = None
        self.places: list[list[str]] = []

    def read(self, pieces: list[_Piece]) -> None:
        at, is_building = _street_at(pieces)
        if at is None:
            before, after = self._take_house_number(pieces), []
        elif is_building:
            before, after = pieces[: at + 1], pieces[at + 1 :]
        else:
            street = pieces[at]
            self.street = street.words
            self._house(street, pieces[:at])
            before, after = pieces[:at], pieces[at + 1 :]
        self._read_before(before)
        self._read_after(after)

    def _take_house_number(self, pieces: list[_Piece]) -> list[_Piece]:
        """With no street and no name, the last number alone is the house's ("FLAT 2, 14")."""
        for k in range(len(pieces) - 1, -1, -1):
            if pieces[k].kind == _NUMBER:
                self._house(pieces[k], pieces[:k])
                return pieces[:k] + pieces[k + 1 :]
        return pieces

    def _house(self, piece: _Piece, before: list[_Piece]) -> None:
        """The house numbers of `piece`, and its flat's ("2/14"), unless a numbered flat
        comes before it: then "FLAT 5, 85/86" is flat 5 of numbers 85 to 86."""
        self.pao_numbers = piece.numbers
        self.sao_numbers = piece.slash
        if (
            piece.slash is not None
            and piece.numbers is not None
            and any(p.kind == _SAO and p.numbers is not None for p in before)
        ):
            self.pao_numbers = _slashed_range(piece.slash, piece.numbers)
            self.sao_numbers = None

    def _read_before(self, pieces: list[_Piece]) -> None:
        sao_at = len(pieces)
        for k, piece in enumerate(pieces):
            if piece.kind == _SAO:
                sao_at = min(sao_at, k)
                self._add_sao(piece)
            elif piece.kind == _NUMBER and self.sao_numbers is None:
                self.sao_numbers = piece.numbers
        building_at = None
        for k in range(len(pieces) - 1, -1, -1):
            if pieces[k].kind in (_TEXT, _NUMBERED) and not _is_organisation(pieces[k]):
                building_at = k
                break
        if building_at is None and self.pao_numbers is None:
            # Premises known by their trade's name alone ("ANTELOPE HOTEL, CAEHARRIS"): that
            # name is the building's, its identity.
            for k in range(len(pieces) - 1, -1, -1):
                if pieces[k].kind == _TEXT:
                    building_at = k
                    break
        # A named dwelling inside a named site ("ROSE COTTAGE, THE WYLDS") is the SAO.
        dwelling_at = None
        if (
            building_at
            and pieces[building_at].kind == _TEXT
            and sao_at == len(pieces)
            and self.sao_numbers is None
        ):
            before = pieces[building_at - 1]
            if before.kind == _TEXT and not _is_organisation(before):
                dwelling_at = building_at - 1
        for k, piece in enumerate(pieces):
            if k == building_at:
                self._set_building(piece)
            elif k == dwelling_at:
                self.sao_words.extend(piece.words)
            elif piece.kind in (_TEXT, _NUMBERED) and (_is_organisation(piece) or k < sao_at):
                self.organisation.append(piece.words)

    def _add_sao(self, piece: _Piece) -> None:
        self.sao_words.extend(piece.words)
        if self.sao_numbers is None:
            self.sao_numbers = piece.numbers

    def _set_building(self, piece: _Piece) -> None:
        self.building = piece.words
        if piece.numbers is None:
            return
        if self.sao_numbers is None and not self.sao_words:
            self.sao_numbers = piece.numbers
        elif self.pao_numbers is None:
            self.pao_numbers = piece.numbers

    def _read_after(self, pieces: list[_Piece]) -> None:
        places = self.places
        for piece in pieces:
            if piece.kind == _SAO:
                self._add_sao(piece)
            elif piece.kind != _NUMBER:
                places.append(piece.words)
        while len(places) > 1 and _is_county(places[-1]):
            places.pop()
        if places:
            places[-1] = _without_county(places[-1])

    def parts(self, postcode: str | None, postcode_valid: bool | None) -> AddressParts:
        sao = self.sao_numbers or (None, None, None, None)
        pao = self.pao_numbers or (None, None, None, None)
        places = self.places
        return AddressParts(
            organisation=", ".join(" ".join(words) for words in self.organisation) or None,
            sao_start_number=sao[0],
            sao_start_suffix=sao[1],
            sao_end_number=sao[2],
            sao_end_suffix=sao[3],
            sao_text=" ".join(self.sao_words) or None,
            pao_start_number=pao[0],
            pao_start_suffix=pao[1],
            pao_end_number=pao[2],
            pao_end_suffix=pao[3],
            pao_text=" ".join(expand_street_words(self.building)) if self.building else None,
            street=" ".join(expand_street_words(self.street)) if self.street else None,
            locality=" ".join(expand_place_words(places[0])) if len(places) > 1 else None,
            town=" ".join(expand_place_words(places[-1])) if places else None,
            postcode=postcode,
            postcode_valid=postcode_valid,
        )


def _is_county(words: list[str]) -> bool:
    if words[-1].endswith("SHIRE"):
        return len(words) == 1 or (len(words) == 2 and words[0] in DIRECTIONS)
    return " ".join(words) in _COUNTIES


def _without_county(words: list[str]) -> list[str]:
    """A place without the county that closes it ("OLDTOWN WESTSHIRE" -> "OLDTOWN")."""
    for size in (3, 2, 1):
        if len(words) > size and _is_county(words[-size:]):
            return words[:-size]
    return words
