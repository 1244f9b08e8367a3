"""House names glued to their street by a list without commas, read apart by other records."""

from __future__ import annotations

from nsai.match.glued import split_glued_names
from nsai.match.records import MatchRecord
from tests.unit.match_records import match_record


def by_id(*records: MatchRecord) -> dict[int, MatchRecord]:
    return {record.record_id: record for record in records}


COUNCIL = match_record(
    1, pao_text="THE LAURELS", street="CLOVER CLOSE", town="OLDTOWN", postcode="AB1 2CD"
)


def test_a_name_another_record_confirms_is_read_off_the_street() -> None:
    glued = match_record(2, street="THE LAURELS CLOVER CLOSE", town="OLDTOWN")
    split = split_glued_names(by_id(COUNCIL, glued))
    assert list(split) == [2]
    record = split[2]
    assert (record.building_key, record.street_key) == (COUNCIL.building_key, "CLOVER CLOSE")
    assert (record.pao_text, record.street) == ("THE LAURELS", "CLOVER CLOSE")


def test_the_postcode_places_a_record_without_a_town() -> None:
    glued = match_record(2, street="LAURELS CLOVER CLOSE", postcode="AB1 2CD")
    assert split_glued_names(by_id(COUNCIL, glued))[2].street_key == "CLOVER CLOSE"


def test_nothing_is_split_that_no_record_confirms() -> None:
    cases = [
        # another town's Laurels
        match_record(2, street="THE LAURELS CLOVER CLOSE", town="NEWTOWN"),
        # a name nobody has on that street
        match_record(3, street="THE ELMS CLOVER CLOSE", town="OLDTOWN"),
        # a number or a name of its own: the street is what it says
        match_record(4, pao_start_number=3, street="THE LAURELS CLOVER CLOSE", town="OLDTOWN"),
        match_record(5, pao_text="IVY HOUSE", street="THE LAURELS CLOVER CLOSE", town="OLDTOWN"),
    ]
    assert split_glued_names(by_id(COUNCIL, *cases)) == {}


def test_a_street_some_record_names_is_never_split() -> None:
    """CHURCH FARM LANE is a street, even where a house called CHURCH stands on FARM LANE."""
    church = match_record(1, pao_text="CHURCH", street="FARM LANE", town="OLDTOWN")
    numbered = match_record(2, pao_start_number=4, street="CHURCH FARM LANE", town="OLDTOWN")
    listed = match_record(3, street="CHURCH FARM LANE", town="OLDTOWN")
    assert split_glued_names(by_id(church, numbered, listed)) == {}
