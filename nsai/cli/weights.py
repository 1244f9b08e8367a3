"""`nsai weights`: learn the comparisons' weights from a region with a truth, and show them."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from nsai.cli.context import engine_of, settings_of
from nsai.db.engine import driver_connection

app = typer.Typer(
    help="The comparisons' weights: learn them from a truth, show those in use.",
    no_args_is_help=True,
)


@app.command("learn")
def learn(
    ctx: typer.Context,
    truth: Path = typer.Option(
        ...,
        help="A truth CSV (source,source_ref,true_id, as `nsai synth` writes) of the "
        "loaded records.",
    ),
    out: Path = typer.Option(..., help="Where to write the weights (JSON)."),
    sigma: float = typer.Option(
        1.0,
        min=0.05,
        max=20.0,
        help="How far (bits, one standard deviation) a learned weight "
        "may stray from its hand-set value before the data must insist.",
    ),
    learned_from: str = typer.Option(
        "", help="What the pairs were, written into the file (default: the truth's path)."
    ),
) -> None:
    """Fit the weights to the candidate pairs of the loaded records, labelled by `truth`."""
    from nsai.match.learn import learn as fit
    from nsai.match.quality import read_truth
    from nsai.match.weights import write

    known = read_truth(truth)  # a bad file fails before the database is read
    with engine_of(settings_of(ctx)) as engine, driver_connection(engine) as conn:
        weights = fit(conn, known, sigma, learned_from or str(truth))
    write(weights, out)
    typer.echo(
        f"learned from {weights.pairs:,} candidate pairs ({weights.true_pairs:,} of one "
        f"property); written to {out}"
    )


@app.command("show")
def show(
    path: Path | None = typer.Argument(None, help="A weights file (default: those matching uses)."),
) -> None:
    """Each comparison level's learned bits beside its hand-set prior, with m and u."""
    from nsai.match.compare import HAND_SET
    from nsai.match.compare import weights as in_use
    from nsai.match.weights import read

    weights = in_use() if path is None else read(path, HAND_SET)
    console = Console(width=100)
    console.print(
        f"Learned from: {weights.learned_from}; {weights.pairs:,} pairs, "
        f"{weights.true_pairs:,} of one property; prior spread {weights.sigma} bits."
    )
    levels = Table("comparison", "level", "hand-set", "learned", "m", "u")
    levels.add_row("(prior)", "", "", f"{weights.prior:+.2f}", "", "")
    for name, given in weights.levels.items():
        for label, w in given.items():
            levels.add_row(name, label, f"{w.hand:+.1f}", f"{w.bits:+.2f}", f"{w.m:.4f}",
                           f"{w.u:.4f}")  # fmt: skip
    console.print(levels)
    if weights.table:
        pr = Table("threshold", "pairs at or above", "precision", "recall")
        for threshold, kept, precision, recall in weights.table:
            pr.add_row(str(threshold), f"{kept:,}", f"{precision:.5f}", f"{recall:.5f}")
        console.print(pr)
