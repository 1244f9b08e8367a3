"""Stewards' operations on a reconciled gazetteer: each applies at once, is written to the audit
log and the change feed, survives later runs, and can be undone."""

from __future__ import annotations

import json
import threading
import time

import psycopg
import pytest

from nsai.errors import NsaiError
from nsai.match.job import LOCK_KEY, Report
from nsai.query.errors import BadInput, NotFound
from nsai.steward import corrections, jobs, review
from nsai.steward.work import Conflict
from tests.loaders.conftest import query, scalar
from tests.steward.conftest import LIST, Gazetteer

STEWARD = "anna"


def _quiet(report: Report) -> None:
    """A run after stewards' work agrees with it: it publishes nothing of its own."""
    assert report.unchanged_since is None  # the operation made it a real run
    assert (report.created, report.updated, report.merged, report.retired, report.split) == (
        0,
        0,
        0,
        0,
        0,
    )


def test_accepting_a_review_item_merges_at_once_and_a_run_keeps_it(gazetteer: Gazetteer) -> None:
    review_id, version = gazetteer.review_of("L1")
    listed = gazetteer.uprn_of("L1")
    before = gazetteer.last_event()
    done = review.decide(gazetteer.engine, review_id, "accept", version, STEWARD, "same cottage")
    # At once, without waiting for a run: the list's record joins the council's.
    assert gazetteer.uprn_of("L1") == 100001
    assert gazetteer.national(listed)[:2] == ("merged", 100001)
    assert set(gazetteer.events(before)) == {
        (listed, "merged", 100001, "steward accept", STEWARD),
        (100001, "updated", None, "steward accept", STEWARD),
    }
    assert query(
        gazetteer.url, "SELECT status, decided_by FROM review_item WHERE review_id = %s", review_id
    ) == [("accepted", STEWARD)]
    operation = query(
        gazetteer.url,
        "SELECT kind, actor, reason FROM steward_operation WHERE operation_id = %s",
        done.operation_id,
    )
    assert operation == [("accept", STEWARD, "same cottage")]
    _quiet(gazetteer.reconcile())
    assert gazetteer.uprn_of("L1") == 100001


def test_a_rejected_pair_stays_apart_and_is_never_proposed_again(gazetteer: Gazetteer) -> None:
    review_id, version = gazetteer.review_of("L1")
    review.decide(gazetteer.engine, review_id, "reject", version, STEWARD, None)
    gazetteer.reconcile()
    assert gazetteer.uprn_of("L1") != gazetteer.uprn_of("100001")
    assert scalar(gazetteer.url, "SELECT count(*) FROM review_item WHERE status = 'open'") == 0


def test_a_deferred_item_stays_in_the_queue(gazetteer: Gazetteer) -> None:
    review_id, version = gazetteer.review_of("L1")
    review.decide(gazetteer.engine, review_id, "defer", version, STEWARD, "ask the council")
    page = review.queue(gazetteer.engine)
    assert page.counts == {"open": 0, "deferred": 1}
    assert [i.review_id for i in page.data] == [review_id]
    assert page.data[0].status == "deferred"
    gazetteer.reconcile()
    assert review.queue(gazetteer.engine).data[0].status == "deferred"


def test_two_stewards_deciding_one_item_one_wins(gazetteer: Gazetteer) -> None:
    review_id, version = gazetteer.review_of("L1")
    review.decide(gazetteer.engine, review_id, "accept", version, "anna", None)
    with pytest.raises(Conflict, match="was accepted already, by anna"):
        review.decide(gazetteer.engine, review_id, "reject", version, "ben", None)
    assert scalar(gazetteer.url, "SELECT count(*) FROM steward_operation") == 1
    assert scalar(gazetteer.url, "SELECT decision FROM match_decision") == "accept"


def test_a_stale_version_is_a_conflict(gazetteer: Gazetteer) -> None:
    review_id, version = gazetteer.review_of("L1")
    review.decide(gazetteer.engine, review_id, "defer", version, "anna", None)
    with pytest.raises(Conflict, match="someone changed it"):
        review.decide(gazetteer.engine, review_id, "accept", version, "ben", None)


def test_the_queue_shows_both_records_and_the_score_explained(gazetteer: Gazetteer) -> None:
    (item,) = review.queue(gazetteer.engine).data
    sides = {item.record_a.source_ref, item.record_b.source_ref}
    assert sides == {"L1", "100001"}
    council = item.record_a if item.record_a.source_ref == "100001" else item.record_b
    assert council.pao.text == "ROSE COTTAGE"
    assert council.location is not None
    assert item.explanation["building"].level == "fuzzy >= 90"
    assert item.score == pytest.approx(0.8)
    assert review.queue(gazetteer.engine, source="nowhere").data == []
    assert review.queue(gazetteer.engine, min_score=0.9).data == []
    with pytest.raises(BadInput):
        review.queue(gazetteer.engine, postcode_area="O1")
    with pytest.raises(NotFound):
        review.item(gazetteer.engine, 999)


def test_merge_and_its_undo(gazetteer: Gazetteer) -> None:
    ivy = gazetteer.uprn_of("L2")
    before = gazetteer.last_event()
    done = corrections.merge(gazetteer.engine, ivy, 100002, STEWARD, "The Ivy is Ivy House")
    assert gazetteer.national(ivy)[:2] == ("merged", 100002)
    assert gazetteer.uprn_of("L2") == 100002
    assert (ivy, "merged", 100002, "steward merge", STEWARD) in gazetteer.events(before)
    _quiet(gazetteer.reconcile())
    assert gazetteer.uprn_of("L2") == 100002

    corrections.undo(gazetteer.engine, done.operation_id, "ben", "two houses after all")
    assert gazetteer.national(ivy)[0] == "active"
    assert gazetteer.uprn_of("L2") == ivy
    assert scalar(gazetteer.url, "SELECT count(*) FROM match_decision") == 0
    _quiet(gazetteer.reconcile())
    assert gazetteer.uprn_of("L2") == ivy


def test_a_merge_breaking_a_property_constraint_is_refused(gazetteer: Gazetteer) -> None:
    with pytest.raises(Conflict, match="which lists each property once"):
        corrections.merge(gazetteer.engine, 100002, 100001, STEWARD, None)
    with pytest.raises(Conflict, match="PAO 5 vs 9"):
        corrections.merge(gazetteer.engine, gazetteer.uprn_of("L9"), 100005, STEWARD, None)
    with pytest.raises(NotFound):
        corrections.merge(gazetteer.engine, 100004, 424242, STEWARD, None)
    with pytest.raises(BadInput):
        corrections.merge(gazetteer.engine, 100004, 100004, STEWARD, None)
    assert scalar(gazetteer.url, "SELECT count(*) FROM steward_operation") == 0


def test_split_to_a_new_uprn_and_its_undo(gazetteer: Gazetteer) -> None:
    done = corrections.split(gazetteer.engine, "l", "L3", STEWARD, "the list's 3 is 3A")
    new = gazetteer.uprn_of("L3")
    assert new != 100003
    assert new >= 999000000001
    assert gazetteer.national(new)[0] == "active"
    assert gazetteer.uprn_of("100003") == 100003
    _quiet(gazetteer.reconcile())
    assert gazetteer.uprn_of("L3") == new

    corrections.undo(gazetteer.engine, done.operation_id, STEWARD, None)
    assert gazetteer.uprn_of("L3") == 100003
    # The new UPRN was published: it resolves for ever, to where its record went back.
    assert gazetteer.national(new)[:2] == ("merged", 100003)
    _quiet(gazetteer.reconcile())
    assert gazetteer.uprn_of("L3") == 100003


def test_split_into_another_record(gazetteer: Gazetteer) -> None:
    with pytest.raises(Conflict, match="PAO 5 vs 4"):
        corrections.split(gazetteer.engine, "l", "L4", STEWARD, None, to=100005)
    corrections.merge(gazetteer.engine, gazetteer.uprn_of("L2"), 100002, STEWARD, None)
    # "The Ivy" was not Ivy House after all, but the name of No. 9.
    nine = gazetteer.uprn_of("L9")
    corrections.split(gazetteer.engine, "l", "L2", STEWARD, "The Ivy is No. 9", to=nine)
    assert gazetteer.uprn_of("L2") == nine
    assert gazetteer.uprn_of("100002") == 100002
    _quiet(gazetteer.reconcile())
    assert gazetteer.uprn_of("L2") == nine
    with pytest.raises(Conflict, match="only record"):
        corrections.split(gazetteer.engine, "llpg-1505", "100001", STEWARD, None)
    with pytest.raises(NotFound):
        corrections.split(gazetteer.engine, "l", "L404", STEWARD, None)


def test_retire_holds_its_records_out_of_later_runs_until_undone(gazetteer: Gazetteer) -> None:
    done = corrections.retire(gazetteer.engine, 100004, STEWARD, "demolished")
    assert gazetteer.national(100004)[0] == "retired"
    assert gazetteer.uprn_of("L4") == 100004
    # No longer a candidate for bulk matching.
    assert scalar(gazetteer.url, "SELECT count(*) FROM national_match_key WHERE uprn = 100004") == 0
    _quiet(gazetteer.reconcile())
    assert gazetteer.national(100004)[0] == "retired"
    corrections.undo(gazetteer.engine, done.operation_id, STEWARD, "still standing")
    assert gazetteer.national(100004)[0] == "active"
    assert scalar(gazetteer.url, "SELECT count(*) FROM national_match_key WHERE uprn = 100004") == 2
    _quiet(gazetteer.reconcile())


def test_an_edit_lasts_through_runs_and_is_checked(gazetteer: Gazetteer) -> None:
    version = gazetteer.national(100003)[2]
    corrections.edit(
        gazetteer.engine, 100003, "postcode", "ox1  2ab", STEWARD, "Royal Mail", version
    )
    _, _, new_version, line, postcode = gazetteer.national(100003)
    assert postcode == "OX1 2AB"
    assert line.endswith("OX1 2AB")
    assert new_version == version + 1
    _quiet(gazetteer.reconcile())
    assert gazetteer.national(100003)[4] == "OX1 2AB"
    with pytest.raises(Conflict, match="version"):
        corrections.edit(gazetteer.engine, 100003, "town", "Newtown", STEWARD, "x", version)
    with pytest.raises(BadInput, match="not a valid postcode"):
        corrections.edit(gazetteer.engine, 100003, "postcode", "OX1 2A", STEWARD, "x")
    with pytest.raises(BadInput, match="field"):
        corrections.edit(gazetteer.engine, 100003, "uprn", 1, STEWARD, "x")
    with pytest.raises(BadInput, match="reason"):
        corrections.edit(gazetteer.engine, 100003, "town", "Newtown", STEWARD, None)
    corrections.edit(
        gazetteer.engine, 100003, "location", {"x": 530001, "y": 180001}, STEWARD, "GPS"
    )
    assert (
        scalar(gazetteer.url, "SELECT ST_X(geom) FROM national_address WHERE uprn = 100003")
        == 530001
    )


def test_undo_waits_for_later_operations_and_refuses_twice(gazetteer: Gazetteer) -> None:
    ivy = gazetteer.uprn_of("L2")
    first = corrections.merge(gazetteer.engine, ivy, 100002, STEWARD, None)
    second = corrections.edit(gazetteer.engine, 100002, "town", "Newtown", STEWARD, "renamed")
    with pytest.raises(Conflict, match=f"operation {second.operation_id} \\(edit by anna\\)"):
        corrections.undo(gazetteer.engine, first.operation_id, STEWARD, None)
    undone = corrections.undo(gazetteer.engine, second.operation_id, STEWARD, None)
    corrections.undo(gazetteer.engine, first.operation_id, STEWARD, None)
    assert gazetteer.national(ivy)[0] == "active"
    with pytest.raises(Conflict, match="undone already"):
        corrections.undo(gazetteer.engine, first.operation_id, STEWARD, None)
    with pytest.raises(Conflict, match="is an undo"):
        corrections.undo(gazetteer.engine, undone.operation_id, STEWARD, None)
    with pytest.raises(NotFound):
        corrections.undo(gazetteer.engine, 9999, STEWARD, None)


def test_undo_is_refused_when_a_run_changed_the_record_since(gazetteer: Gazetteer) -> None:
    done = corrections.merge(gazetteer.engine, gazetteer.uprn_of("L2"), 100002, STEWARD, None)
    # The council gives Ivy House a postcode: the next run updates the merged record.
    gazetteer.load_list(LIST.replace('"The Ivy, Mill Lane, Oldtown"', '"The Ivy, Oldtown"'))
    gazetteer.reconcile()
    with pytest.raises(Conflict, match="cannot be undone"):
        corrections.undo(gazetteer.engine, done.operation_id, STEWARD, None)


def test_the_audit_log_keeps_who_when_why_before_and_after(gazetteer: Gazetteer) -> None:
    done = corrections.retire(gazetteer.engine, 100005, STEWARD, "demolished")
    kind, actor, reason, before, after = query(
        gazetteer.url,
        "SELECT kind, actor, reason, before, after FROM steward_operation WHERE operation_id = %s",
        done.operation_id,
    )[0]
    assert (kind, actor, reason) == ("retire", STEWARD, "demolished")
    assert [r["status"] for r in before["national_address"]] == ["active"]
    assert [r["status"] for r in after["national_address"]] == ["retired"]
    assert after["steward_hold"][0]["uprn"] == 100005
    assert json.dumps(before)  # the whole rows, as JSON


def test_a_run_overtaken_by_a_steward_starts_again(gazetteer: Gazetteer) -> None:
    review_id, version = gazetteer.review_of("L1")
    decided: list[str] = []

    def steward_acts_meanwhile(stage: str) -> None:
        if stage == "publish" and not decided:
            decided.append(stage)
            review.decide(gazetteer.engine, review_id, "accept", version, STEWARD, None)

    gazetteer.load_list(LIST + 'L8,"8 Mill Lane, Oldtown"\n')  # a run with work to do
    report = gazetteer.reconcile(progress=steward_acts_meanwhile)
    assert decided == ["publish"]
    assert report.attempts == 2
    assert gazetteer.uprn_of("L1") == 100001  # the run published with the steward's decision


def test_a_cancelled_run_publishes_nothing(gazetteer: Gazetteer) -> None:
    gazetteer.load_list(LIST + 'L8,"8 Mill Lane, Oldtown"\n')
    before = gazetteer.last_event()

    def cancel(stage: str) -> None:
        if stage == "score":
            with psycopg.connect(gazetteer.url, autocommit=True) as conn:
                conn.execute(
                    "UPDATE reconcile_run SET cancel_requested = true WHERE status = 'running'"
                )

    with pytest.raises(NsaiError, match="was cancelled: nothing was published"):
        gazetteer.reconcile(progress=cancel)
    assert gazetteer.events(before) == []
    assert scalar(
        gazetteer.url, "SELECT status FROM reconcile_run ORDER BY run_id DESC LIMIT 1"
    ) == ("cancelled")


def test_a_cancel_interrupts_only_the_session_holding_the_jobs_lock(gazetteer: Gazetteer) -> None:
    with psycopg.connect(gazetteer.url, autocommit=True) as other:
        # A run that died: its backend's pid now belongs to another session (`other`).
        (run_id,) = other.execute(
            "INSERT INTO reconcile_run (workers, started_by, backend_pid) "
            "VALUES (1, 'gone', %s) RETURNING run_id",
            (other.info.backend_pid,),
        ).fetchone() or (0,)

        def sleeps_through_a_cancel() -> bool:
            outcome: list[bool] = []

            def sleep() -> None:
                try:
                    other.execute("SELECT pg_sleep(2)")
                    outcome.append(True)
                except psycopg.errors.QueryCanceled:
                    outcome.append(False)

            thread = threading.Thread(target=sleep)
            thread.start()
            time.sleep(0.3)  # the sleep has begun
            jobs.cancel(gazetteer.engine, run_id)
            thread.join()
            return outcome == [True]

        assert sleeps_through_a_cancel()  # not the run's session: left alone
        assert scalar(
            gazetteer.url, "SELECT cancel_requested FROM reconcile_run WHERE run_id = %s", run_id
        )
        other.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))  # now it is the run's
        assert not sleeps_through_a_cancel()
