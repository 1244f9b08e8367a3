"""How people and other systems garble addresses: the noise the sources draw from the truth.

Each function takes the random generator of the source that uses it, so a source's noise
depends only on the seed and the source. `Typing` holds the rates of one source's typists and
`typed_parts` applies them to a property's address; the rates themselves live with the sources.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from nsai.synth import names
from nsai.synth.properties import Property, Street

_ABBREVIATIONS = {name: abbrevs for name, _, abbrevs in names.STREET_TYPES if abbrevs}
_NEIGHBOUR_KEYS = {
    "a": "qsz", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj",
    "i": "uo", "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o",
    "q": "w", "r": "et", "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc",
    "y": "tu", "z": "x",
}  # fmt: skip
_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def abbreviate(street: str, rng: random.Random, dot: float = 0.0) -> str:
    """ "Church Street" -> "Church St" (or "Church St." with chance `dot`)."""
    body, _, last = street.rpartition(" ")
    abbrevs = _ABBREVIATIONS.get(last)
    if not body or not abbrevs:
        return street
    short = abbrevs[0] if len(abbrevs) == 1 else rng.choice(abbrevs)
    return f"{body} {short}{'.' if rng.random() < dot else ''}"


def saint(street: str) -> str:
    """ "St Mary's Road" -> "Saint Mary's Road"."""
    return "Saint " + street[3:] if street.startswith("St ") else street


def typo(text: str, rng: random.Random) -> str:
    """One slip of a finger in one word of four letters or more (numbers are left alone)."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    at = rng.randrange(1, len(word))  # people rarely get the first letter wrong
    slip = rng.random()
    if slip < 0.35:
        near = _NEIGHBOUR_KEYS.get(word[at].lower(), "e")
        letter = rng.choice(near)
        word = word[:at] + (letter.upper() if word[at].isupper() else letter) + word[at + 1 :]
    elif slip < 0.6:
        word = word[:at] + word[at + 1 :]
    elif slip < 0.8:
        word = word[:at] + word[at] + word[at:]
    else:
        at = min(at, len(word) - 2)
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    words[i] = word
    return " ".join(words)


def mistype_postcode(postcode: str, rng: random.Random) -> str:
    """The postcode with one character changed for another of its kind (still valid format)."""
    outward, inward = postcode.split(" ")
    if rng.random() < 0.5:
        i = rng.randrange(1, 3)
        letter = rng.choice(_LETTERS.replace(inward[i], ""))
        return f"{outward} {inward[:i]}{letter}{inward[i + 1 :]}"
    digit = str((int(inward[0]) + rng.randint(1, 9)) % 10)
    return f"{outward} {digit}{inward[1:]}"


def jitter(
    rng: random.Random, bands: tuple[tuple[float, float, float], ...]
) -> tuple[float, float]:
    """A displacement (dx, dy): a distance drawn from one of `bands` (chance, min m, max m)."""
    r = rng.random()
    low, high = bands[-1][1:]
    for chance, lo, hi in bands:
        if r < chance:
            low, high = lo, hi
            break
        r -= chance
    distance = rng.uniform(low, high)
    angle = rng.uniform(0.0, 2 * math.pi)
    return distance * math.cos(angle), distance * math.sin(angle)


@dataclass(frozen=True, slots=True)
class Typing:
    """Rates at which one source's typists garble an address; each is a chance per record."""

    abbreviate: float  # street type abbreviated: Road -> Rd
    dot: float  # an abbreviation gets a full stop
    saint: float  # "St Mary's" written "Saint Mary's"
    apostrophe: float  # apostrophes dropped: "St Marys"
    typo: float  # one mistyped letter
    drop_name: float  # house or building name dropped when there is a number
    drop_locality: float
    add_locality: float  # a village's post town, or the county, added
    flat_words: tuple[tuple[str, int], ...]  # how "Flat" is written ("" for nothing)
    postcode_missing: float
    postcode_mistyped: float
    postcode_unspaced: float
    organisation: float  # chance the organisation name is kept
    number_apart: float = 0.0  # "17, Pantyscallog Houses": the house number an item of its own
    floor_words: float = 0.0  # a numbered flat's floor added: "Flat 2 First Floor"


@dataclass(slots=True)
class Parts:
    """A property's address as a typist gives it: ordered items, then the postcode."""

    items: list[str]
    postcode: str


def typed_parts(
    prop: Property, street: Street, rng: random.Random, typing: Typing, county: str
) -> Parts:
    """The address of `prop` as written by a typist with `typing`'s habits, in mixed case."""
    items: list[str] = []
    if prop.organisation and rng.random() < typing.organisation:
        items.append(prop.organisation)
    if prop.sao_text or prop.sao_number is not None:
        items.append(_sao(prop, rng, typing))
    numbers = prop.pao_numbers
    if prop.pao_text and not (numbers and rng.random() < typing.drop_name):
        items.append(prop.pao_text)
    name = street.name
    if rng.random() < typing.abbreviate:
        name = abbreviate(name, rng, typing.dot)
    if rng.random() < typing.saint:
        name = saint(name)
    if numbers and rng.random() < typing.number_apart:
        items += [numbers, name]
    else:
        items.append(f"{numbers} {name}" if numbers else name)
    if street.locality and rng.random() >= typing.drop_locality:
        items.append(street.locality)
    items.append(street.town)
    if rng.random() < typing.add_locality:
        # A village's post town, else the county of a two-tier council.
        if street.post_town != street.town:
            items.append(street.post_town)
        elif street.council.in_county:
            items.append(county)
    if rng.random() < typing.apostrophe:
        items = [item.replace("'", "") for item in items]
    if rng.random() < typing.typo:
        i = rng.randrange(len(items))
        items[i] = typo(items[i], rng)
    postcode = prop.postcode
    r = rng.random()
    if r < typing.postcode_missing:
        postcode = ""
    elif r < typing.postcode_missing + typing.postcode_mistyped:
        postcode = mistype_postcode(postcode, rng)
    if postcode and rng.random() < typing.postcode_unspaced:
        postcode = postcode.replace(" ", "")
    return Parts(items, postcode)


def _sao(prop: Property, rng: random.Random, typing: Typing) -> str:
    """The SAO as typed: Flat 2, Apartment 2, Apt 2 or just 2; Flat A; Ground Floor Flat; Unit 4."""
    if prop.sao_number is None:
        return prop.sao_text
    if prop.sao_text == "Unit":
        return f"Unit {prop.sao_number}"
    word = rng.choices([w for w, _ in typing.flat_words], [n for _, n in typing.flat_words])[0]
    typed = f"{word} {prop.sao_number}" if word else str(prop.sao_number)
    known = prop.level.isdigit() and int(prop.level) < len(names.FLOOR_NAMES)
    if known and rng.random() < typing.floor_words:
        floor = f"{names.FLOOR_NAMES[int(prop.level)]} Floor"
        # Now after the number, now before it in brackets: "(Ground Floor) Flat 1".
        typed = f"{typed} {floor}" if rng.random() < 0.5 else f"({floor}) {typed}"
    return typed


def casing(rng: random.Random, upper: float, lower: float) -> Callable[[str], str]:
    """How a record is cased: capitals with chance `upper`, lower case with chance `lower`,
    else as written."""
    r = rng.random()
    if r < upper:
        return str.upper
    if r < upper + lower:
        return str.lower
    return str
