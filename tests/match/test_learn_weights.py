"""`nsai weights learn` on a loaded region with its truth, and matching that scores with the
file it writes (NSAI_MATCH_WEIGHTS)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import CliRunner

NSAI = str(Path(sys.executable).with_name("nsai"))


def test_weights_learned_from_a_truth_score_in_place_of_the_hand_set(
    cli: CliRunner, environ: dict[str, str], region: Path, tmp_path: Path
) -> None:
    assert cli("load-manifest", str(region / "manifest.json"), environ=environ).code == 0
    out = tmp_path / "weights.json"
    learned = cli("weights", "learn", "--truth", str(region / "truth.csv"), "--out", str(out),
                  environ=environ)  # fmt: skip
    assert learned.code == 0, learned.err
    assert "of one property" in learned.out
    document = json.loads(out.read_text())
    assert document["true_pairs"] > 0
    assert document["prior"] != -8.0  # learned, not copied
    # The pairs scored with them: precision and recall at each threshold.
    assert [row[0] for row in document["table"]][:2] == [0.5, 0.8]
    env = {**os.environ, **environ}
    shown = subprocess.run([NSAI, "weights", "show"], env={**env, "NSAI_MATCH_WEIGHTS": str(out)},
                           capture_output=True, text=True, check=True)  # fmt: skip
    assert "Learned from: " + str(region / "truth.csv") in shown.stdout
    hand = subprocess.run([NSAI, "weights", "show"], env=env, capture_output=True, text=True,
                          check=True)  # fmt: skip
    assert "Learned from: hand-set" in hand.stdout
    # A run scores with the file named: reconcile reaches the truth as well as by hand. Run
    # by hand first, the same records with other weights are a run of their own.
    assert cli("reconcile", environ=environ).code == 0
    run = subprocess.run(
        [NSAI, "reconcile", "--truth", str(region / "truth.csv")],
        env={**env, "NSAI_MATCH_WEIGHTS": str(out)},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "nothing changed" not in run.stdout
    assert "0 national records hold more than one true property" in run.stdout


def test_a_broken_weights_file_is_refused_clearly(environ: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "weights.json"
    broken.write_text('{"prior": -8}')
    shown = subprocess.run([NSAI, "weights", "show"],
                           env={**os.environ, **environ, "NSAI_MATCH_WEIGHTS": str(broken)},
                           capture_output=True, text=True)  # fmt: skip
    assert shown.returncode != 0
    assert "cannot read the weights" in shown.stderr
    assert "Traceback" not in shown.stderr


def test_learning_refuses_a_file_that_is_no_truth(
    cli: CliRunner, environ: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "truth.csv"
    bad.write_text("a,b\n1,2\n")
    result = cli("weights", "learn", "--truth", str(bad), "--out", str(tmp_path / "w.json"),
                 environ=environ)  # fmt: skip
    assert result.code != 0
    assert "is no truth" in result.err
    assert not (tmp_path / "w.json").exists()
