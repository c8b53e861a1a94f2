"""Commands of open data: export every OCDS release and record to files, and write the releases missing for
the events of the audit log."""

from __future__ import annotations

from pathlib import Path

import typer

from .environment import console, current_settings, database


def export_ocds(
    directory: Path = typer.Argument(..., help="Folder to write releases.jsonl and record-package.json into."),
    since: str = typer.Option(None, "--since", help="Only releases dated on or after this day (YYYY-MM-DD)."),
) -> None:
    """Export every OCDS release as release packages (JSON Lines) and a record package, streaming."""
    from datetime import date

    from rich.progress import Progress

    from ..opendata.export import count, export, in_two_processes

    day = None
    if since:
        try:
            day = date.fromisoformat(since)
        except ValueError:
            console.print(f"[red]--since must be a date like 2026-01-31, not {since!r}.[/red]")
            raise typer.Exit(2) from None
    db = database()
    with Progress(console=console) as progress:
        total = count(db, day)
        task = progress.add_task("OCDS releases", total=total)
        advance = lambda n: progress.advance(task, n)  # noqa: E731
        done = export(db, directory, current_settings().base_url, day, advance, parallel=in_two_processes(db, total))
    console.print(f"{done.releases} releases and {done.records} records written to {directory}.")


def ocds_backfill() -> None:
    """Write the OCDS releases missing for the events of the audit log, with their original dates, as the
    consumer ``opendata`` writes them (running it again writes nothing; ``rebuild opendata`` writes all again)."""
    from ..opendata.follow import backfill

    with database().transaction() as session:
        written = backfill(session)
    console.print(f"{written} OCDS releases written.")


def register(app: typer.Typer) -> None:
    """Add the open data commands to the command line."""
    app.command("export-ocds")(export_ocds)
    app.command("ocds-backfill")(ocds_backfill)
