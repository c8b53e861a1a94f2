"""What every command works with: the settings of the run, the database they name, the console it prints
to, and how a command ends when the platform refuses what it was asked (exit 2, each problem named)."""

from __future__ import annotations

import typer
from rich.console import Console

from ..core.database import Database
from ..core.errors import DomainError
from ..core.settings import Settings, get_settings

console = Console()


def current_settings() -> Settings:
    """The process-wide settings, looked up here when a command runs (tests replace `get_settings` here)."""
    return get_settings()


def database() -> Database:
    return Database(get_settings().database_url)


def fail(error: DomainError) -> None:
    console.print(f"[red]{error.message.render()}[/red]")
    for name, text in error.fields.items():
        console.print(f"  [red]{name}[/red]: {text.render()}")
    raise typer.Exit(2)
