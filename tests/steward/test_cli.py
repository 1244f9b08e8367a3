"""`nsai review`, `nsai steward` and `nsai jobs` in-process, on the small gazetteer."""

from __future__ import annotations

from tests.conftest import CliRunner
from tests.steward.conftest import Gazetteer


def test_the_review_queue_on_the_command_line(gazetteer: Gazetteer, cli: CliRunner) -> None:
    env = gazetteer.environ
    listed = cli("review", "list", environ=env)
    assert listed.code == 0, listed.err
    assert listed.out.splitlines()[0] == "1 open, 0 deferred"
    review_id, _ = gazetteer.review_of("L1")
    shown = cli("review", "show", str(review_id), environ=env)
    assert "building        fuzzy >= 90    +3.0" in shown.out
    accepted = cli(
        "review", "accept", str(review_id), "--reason", "same", "--as", "anna", environ=env
    )
    assert accepted.code == 0, accepted.err
    assert f"review item {review_id} accepted" in accepted.out
    again = cli("review", "reject", str(review_id), environ=env)
    assert again.code == 1
    assert "accepted already, by anna" in again.err


def test_corrections_undo_and_the_log_on_the_command_line(
    gazetteer: Gazetteer, cli: CliRunner
) -> None:
    env = gazetteer.environ
    ivy = str(gazetteer.uprn_of("L2"))
    merged = cli("steward", "merge", ivy, "--into", "100002", "--reason", "same", environ=env)
    assert merged.code == 0, merged.err
    operation = merged.out.split()[1].rstrip(":")
    edited = cli(
        "steward", "edit", "100003", "location", "530061,180001", "--reason", "GPS", environ=env
    )
    assert edited.code == 0, edited.err
    bad = cli("steward", "edit", "100003", "location", "east", "--reason", "x", environ=env)
    assert (bad.code, bad.err.strip()) == (
        1,
        'nsai: error: a location is "EASTING,NORTHING" in EPSG:27700',
    )
    undone = cli("steward", "undo", operation, environ=env)
    assert undone.code == 0, undone.err
    log = cli("steward", "log", "--uprn", "100002", environ=env)
    lines = log.out.splitlines()
    assert "undo" in lines[0]
    assert "merge" in lines[1]
    assert f"(undone by {int(operation) + 2})" in lines[1]


def test_jobs_on_the_command_line(gazetteer: Gazetteer, cli: CliRunner) -> None:
    env = gazetteer.environ
    listed = cli("jobs", "list", environ=env)
    assert listed.code == 0, listed.err
    assert listed.out.split()[:2] == ["1", "done"]
    refused = cli("jobs", "cancel", "1", environ=env)
    assert refused.code == 1
    assert "run 1 is done: there is nothing to cancel" in refused.err
