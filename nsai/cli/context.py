"""What every command gets from `main`: the settings, built once from the given environment."""

from __future__ import annotations

import typer

from nsai.config import Settings


def settings_of(ctx: typer.Context) -> Settings:
    settings = ctx.find_root().obj
    assert isinstance(settings, Settings)
    return settings
