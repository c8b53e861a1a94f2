"""Commands of the catalog: import services selected elsewhere, search the published catalog as the platform
ranks it, and rebuild the search index."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from .environment import console, database


def import_catalog(
    files: list[Path] = typer.Argument(..., help="JSON Lines files in the catalog import format.", exists=True),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Import the good lines of a file with bad ones."),
) -> None:
    """Import services selected elsewhere; they are published at once."""
    from rich.progress import Progress

    from ..catalog.importer import count_lines, import_files

    db = database()
    with Progress(console=console) as progress:
        task = progress.add_task("Importing", total=count_lines(files))
        report = import_files(db.transaction, files, skip_invalid=skip_invalid, progress=lambda: progress.advance(task))
    for problem in report.problems:
        console.print(f"[red]{problem}[/red]")
    for skipped in report.skipped_files:
        console.print(f"[yellow]Nothing imported from {skipped}: fix the lines above or use --skip-invalid.[/yellow]")
    console.print(f"{report.created} services published, {report.updated} updated, {len(report.problems)} bad lines.")
    if report.problems and not skip_invalid:
        raise typer.Exit(1)


def search(
    query: str = typer.Argument(..., help="What to look for, in Korean or English."),
    limit: int = typer.Option(10, help="How many results."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines instead of a table."),
) -> None:
    """Search the published catalog, ranked as the platform ranks it."""
    import json

    from rich.table import Table

    from ..search.index import search as run_search

    with database().reading() as session:
        hits = run_search(session, query, limit=limit)
        rows = [
            {
                "code": h.service.code,
                "ref": h.service.ref,
                "name": h.service.name,
                "supplier": h.service.supplier.name,
                "score": None if h.score is None else round(h.score, 4),  # None: conditions only, no words
            }
            for h in hits
        ]
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    table = Table("code", "name", "supplier", "score")
    for row in rows:
        table.add_row(row["code"], row["name"], row["supplier"], "-" if row["score"] is None else str(row["score"]))
    console.print(table)


def reindex() -> None:
    """Rebuild the search index (after the analyzer or the synonyms changed)."""
    from ..search.freshness import ensure_current

    count = ensure_current(database(), force=True)
    console.print(f"{count} services indexed.")


def register(app: typer.Typer) -> None:
    """Add the catalog commands to the command line."""
    app.command("import-catalog")(import_catalog)
    app.command()(search)
    app.command()(reindex)
