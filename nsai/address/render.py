"""Rendering BS7666 addresses: number ranges, single lines in BS7666 order, postcodes.

A single line is ORGANISATION, SAO, PAO_TEXT, PAO numbers + street, locality, town, postcode;
text items are joined with ", ". Two readings of the joining rule, made explicit here:

- SAO_TEXT with SAO numbers reads as one item, text first: SAO_TEXT "FLAT" + SAO number 2 renders
  "FLAT 2", the same as SAO_TEXT "FLAT 2", because councils store that flat both ways.
- SAO numbers without SAO_TEXT join the PAO_TEXT that follows with a space ("2 ROSE COURT"); when
  no PAO_TEXT follows they stand alone ("2, 5 MAIN STREET"), never run into the PAO number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final


def number_range(
    start: int | None, start_suffix: str = "", end: int | None = None, end_suffix: str = ""
) -> str:
    """BS7666 numbers: 51, 51A, 51-53, 51A-53B; "" when there is no start number."""
    if start is None:
        if end is not None:
            raise ValueError("an end number needs a start number")
        return ""
    text = f"{start}{start_suffix}"
    if end is not None:
        text += f"-{end}{end_suffix}"
    return text


@dataclass(frozen=True, slots=True)
class Bs7666Address:
    """The structured parts of an address (SAO: secondary, PAO: primary addressable object)."""

    organisation: str = ""
    sao_text: str = ""
    sao_start_number: int | None = None
    sao_start_suffix: str = ""
    sao_end_number: int | None = None
    sao_end_suffix: str = ""
    pao_text: str = ""
    pao_start_number: int | None = None
    pao_start_suffix: str = ""
    pao_end_number: int | None = None
    pao_end_suffix: str = ""
    street: str = ""
    locality: str = ""
    town: str = ""
    postcode: str = ""

    @property
    def sao_numbers(self) -> str:
        return number_range(
            self.sao_start_number, self.sao_start_suffix, self.sao_end_number, self.sao_end_suffix
        )

    @property
    def pao_numbers(self) -> str:
        return number_range(
            self.pao_start_number, self.pao_start_suffix, self.pao_end_number, self.pao_end_suffix
        )

    def single_line(self) -> str:
        return single_line(self)


def single_line(address: Bs7666Address) -> str:
    """The address on one line in BS7666 order (see the module docstring for the joins)."""
    items = [address.organisation]
    sao_numbers = address.sao_numbers
    pao_text = address.pao_text
    if address.sao_text:
        items.append(f"{address.sao_text} {sao_numbers}" if sao_numbers else address.sao_text)
    elif sao_numbers:
        if pao_text:
            pao_text = f"{sao_numbers} {pao_text}"
        else:
            items.append(sao_numbers)
    items.append(pao_text)
    pao_numbers = address.pao_numbers
    if pao_numbers and address.street:
        items.append(f"{pao_numbers} {address.street}")
    else:
        items.extend((pao_numbers, address.street))
    items.extend((address.locality, address.town, address.postcode))
    return ", ".join(item for item in items if item)


_POSTCODE: Final = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})")


def format_postcode(text: str) -> str | None:
    """A UK postcode in its standard form ("AB1 2CD"), or None when `text` is not one.

    Accepts any case, surrounding blanks and a missing or repeated inner space.
    """
    match = _POSTCODE.fullmatch(" ".join(text.upper().split()))
    if match is None:
        return None
    return f"{match.group(1)} {match.group(2)}"
