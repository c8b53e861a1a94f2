"""Commands that set up and keep the platform's data: the database schema (migrate), the demo data, and a
backup of the database and the documents, restored into an empty installation."""

from __future__ import annotations

from pathlib import Path

import typer

from ..core.errors import DomainError
from .environment import console, current_settings, database, fail


def migrate() -> None:
    """Apply the database migrations (creates the SQLite file when needed)."""
    from ..core.migrate import upgrade
    from ..search.freshness import ensure_current
    from ..signatures.authority import ensure_authority

    settings = current_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = database()
    upgrade(db.engine)
    console.print(f"Database is up to date: {db.engine.url.render_as_string(hide_password=True)}")
    with db.transaction() as session:  # the certificate authority that signs documents, made once
        ensure_authority(session)
    indexed = ensure_current(db)  # the search index follows a changed analyzer or vocabulary
    if indexed is not None:
        console.print(f"Search index built by this analyzer: {indexed} services indexed.")


def seed_demo(
    if_empty: bool = typer.Option(False, "--if-empty", help="Only when the database has no users yet."),
    trade: bool = typer.Option(True, "--trade/--no-trade", help="Also play two years of contracts and payments."),
) -> None:
    """Load the demo organisations and one account per role, services, applications and two years of trade."""
    import time

    from ..accounts.user_accounts import count_users
    from ..demo import DEMO_PASSWORD, seed_demo, seed_demo_trade, seed_demo_work
    from ..signatures.authority import issue_missing

    db = database()
    with db.transaction() as session:
        if count_users(session):
            if if_empty:
                console.print("Demo data not loaded: the database already has users.")
                return
            console.print("[red]The database already has users; seed-demo needs an empty database.[/red]")
            raise typer.Exit(1)
        started = time.monotonic()
        created = seed_demo(session)
        work = seed_demo_work(session, current_settings().documents_dir)
        if trade:
            console.print("Playing two years of demo trade (contract documents take most of the time) ...")
            work |= seed_demo_trade(session, current_settings().documents_dir)
        # Each demo organisation's signing certificate, last: the history's steps issue theirs on first need
        # as of their own day, and a certificate issued today is not valid yet on a day of 2024.
        issue_missing(session)
    console.print(
        f"Loaded demo data: {created} accounts (password [bold]{DEMO_PASSWORD}[/bold], see README), "
        f"{work['services']} services, {work['applications']} applications, {work['rounds']} committee rounds."
    )
    if trade:
        console.print(
            f"Trade: {work.get('catalog_contracts', 0)} catalog contracts, {work['quote_requests']} quote requests, "
            f"{work['orders']} orders, {work['invoices']} invoices, {work['reviews']} reviews "
            f"({time.monotonic() - started:.0f} s)."
        )
        if work["refused"] > work["steps"] // 50:  # a few are the demo's own (a step its people try too late)
            console.print(f"[yellow]{work['refused']} of {work['steps']} steps of the trade were refused.[/yellow]")


def backup(
    file: Path = typer.Argument(..., help="The archive to write (.tar.gz); an existing file is replaced."),
) -> None:
    """Back up the database (SQLite online backup, or pg_dump) and the uploaded documents into one archive
    with a manifest of checksums; the platform may keep running."""
    from ..core.backup import create_backup

    settings = current_settings()
    try:
        manifest = create_backup(settings.database_url, settings.documents_dir, file)
    except DomainError as error:
        fail(error)
    console.print(
        f"Backup written to {file}: {manifest['database']['kind']} database at revision "
        f"{manifest['database']['alembic_revision']}, {manifest['documents']} documents."
    )


def restore(
    file: Path = typer.Argument(..., help="An archive written by `digitalmarket backup`.", exists=True),
) -> None:
    """Restore a backup into an EMPTY database (DM_DATABASE_URL, of the backup's kind) and an empty documents
    folder; every file is checked against the manifest and the audit chain is verified afterwards."""
    from ..core.backup import restore_backup

    settings = current_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        report = restore_backup(file, settings.database_url, settings.documents_dir)
    except DomainError as error:
        fail(error)
    console.print(
        f"Restored a {report.kind} database at revision {report.revision} and {report.documents} documents; "
        f"audit chain intact ({report.audit_rows} rows)."
    )


def register(app: typer.Typer) -> None:
    """Add the data commands to the command line."""
    app.command()(migrate)
    app.command("seed-demo")(seed_demo)
    app.command()(backup)
    app.command()(restore)
