"""Rendering BS7666 addresses: number ranges and single lines in BS7666 order.

A single line is ORGANISATION, SAO, PAO_TEXT, PAO numbers + street, locality, town, postcode;
text items are joined with ", " and absent (None or empty) items are left out. Two readings of
the joining rule, made explicit here:

- SAO_TEXT with SAO numbers reads as one item, text first: SAO_TEXT "FLAT" + SAO number 2 renders
  "FLAT 2", the same as SAO_TEXT "FLAT 2", because councils store that flat both ways.
- SAO numbers without SAO_TEXT join the PAO_TEXT that follows with a space ("2 ROSE COURT"); when
  no PAO_TEXT follows they stand alone ("2, 5 MAIN STREET"), never run into the PAO number.

Postcodes are `nsai.address.postcode`'s business; a line shows the postcode as the parts hold it.
"""

from __future__ import annotations

from nsai.address.parts import AddressParts


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


def sao_numbers(parts: AddressParts) -> str:
    """The SAO numbers as written ("2", "2A", "2-4"), or "" when there are none."""
    return number_range(
        parts.sao_start_number,
        parts.sao_start_suffix or "",
        parts.sao_end_number,
        parts.sao_end_suffix or "",
    )


def pao_numbers(parts: AddressParts) -> str:
    """The PAO numbers as written ("12", "12A", "12-14"), or "" when there are none."""
    return number_range(
        parts.pao_start_number,
        parts.pao_start_suffix or "",
        parts.pao_end_number,
        parts.pao_end_suffix or "",
    )


def single_line(parts: AddressParts) -> str:
    """The address on one line in BS7666 order (see the module docstring for the joins)."""
    items = [parts.organisation]
    sao = sao_numbers(parts)
    pao_text = parts.pao_text
    if parts.sao_text:
        items.append(f"{parts.sao_text} {sao}" if sao else parts.sao_text)
    elif sao:
        if pao_text:
            pao_text = f"{sao} {pao_text}"
        else:
            items.append(sao)
    items.append(pao_text)
    pao = pao_numbers(parts)
    if pao and parts.street:
        items.append(f"{pao} {parts.street}")
    else:
        items.extend((pao, parts.street))
    items.extend((parts.locality, parts.town, parts.postcode))
    return ", ".join(item for item in items if item)
