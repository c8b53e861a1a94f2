"""The command line: `digitalmarket --help`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy import select

from . import subscribers
from .core.database import Database
from .core.errors import DomainError
from .core.settings import get_settings

app = typer.Typer(help="디지털서비스 마켓: run, migrate, seed and check the platform.", no_args_is_help=True)
console = Console()


@app.callback()
def _start() -> None:
    # every command writes through the workflows: their events reach the subscribers installed here
    subscribers.install()


def _database() -> Database:
    return Database(get_settings().database_url)


def _fail(error: DomainError) -> None:
    console.print(f"[red]{error.message.render()}[/red]")
    for name, text in error.fields.items():
        console.print(f"  [red]{name}[/red]: {text.render()}")
    raise typer.Exit(2)


@app.command()
def migrate() -> None:
    """Apply the database migrations (creates the SQLite file when needed)."""
    from .core.migrate import upgrade

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = _database()
    upgrade(db.engine)
    console.print(f"Database is up to date: {db.engine.url.render_as_string(hide_password=True)}")


@app.command("seed-demo")
def seed_demo(
    if_empty: bool = typer.Option(False, "--if-empty", help="Only when the database has no users yet."),
    trade: bool = typer.Option(True, "--trade/--no-trade", help="Also play two years of contracts and payments."),
) -> None:
    """Load the demo organisations and one account per role, services, applications and two years of trade."""
    import time

    from .accounts.workflow import count_users
    from .demo import DEMO_PASSWORD, seed_demo, seed_demo_trade, seed_demo_work

    db = _database()
    with db.transaction() as session:
        if count_users(session):
            if if_empty:
                console.print("Demo data not loaded: the database already has users.")
                return
            console.print("[red]The database already has users; seed-demo needs an empty database.[/red]")
            raise typer.Exit(1)
        started = time.monotonic()
        created = seed_demo(session)
        work = seed_demo_work(session, get_settings().documents_dir)
        if trade:
            console.print("Playing two years of demo trade (contract documents take most of the time) ...")
            work |= seed_demo_trade(session, get_settings().documents_dir)
    console.print(
        f"Loaded demo data: {created} accounts (password [bold]{DEMO_PASSWORD}[/bold], see README), "
        f"{work['services']} services, {work['applications']} applications, {work['rounds']} committee rounds."
    )
    if trade:
        console.print(
            f"Trade: {work['catalog_contracts']} catalog contracts, {work['quote_requests']} quote requests, "
            f"{work['orders']} orders, {work['invoices']} invoices, {work['reviews']} reviews "
            f"({time.monotonic() - started:.0f} s)."
        )


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(None, help="Port (default: $PORT or 8000)."),
    workers: int = typer.Option(1, help="Worker processes."),
) -> None:
    """Serve the platform over HTTP."""
    from .web import server

    try:
        settings = get_settings()
    except ValueError as error:  # a setting that cannot be used, named in the message
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    console.print(f"디지털서비스 마켓 → http://{host}:{port or settings.port}")
    server.run(host=host, port=port or settings.port, workers=workers)


@app.command("create-user")
def create_user(
    email: str = typer.Option(..., help="E-mail address (the log-in)."),
    name: str = typer.Option(..., help="Full name."),
    role: str = typer.Option(..., help="supplier, agency_buyer, operator, reviewer, contracting_officer or admin."),
    organisation: str = typer.Option(..., help="Organisation: its id, business number, agency code or exact name."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create an account in an existing organisation."""
    from .accounts import workflow
    from .accounts.rules import normalise_business_number
    from .accounts.tables import Organisation

    db = _database()
    try:
        with db.transaction() as session:
            key = organisation.strip()
            query = select(Organisation).where(
                (Organisation.name == key)
                | (Organisation.agency_code == key)
                | (Organisation.business_number == normalise_business_number(key))
            )
            if key.isdigit() and len(key) < 7:
                query = select(Organisation).where(Organisation.id == int(key))
            org = session.scalars(query).first()
            user = workflow.create_user(
                session,
                None,
                workflow.NewUser(
                    email=email, name=name, role=role, organisation_id=org.id if org else None, password=password
                ),
            )
            console.print(f"Created user {user.id} <{user.email}> as {user.role} in {user.organisation.name}.")
    except DomainError as error:
        _fail(error)


@app.command("create-token")
def create_token(
    email: str = typer.Option(..., help="Whose token."),
    name: str = typer.Option("cli", help="A name to recognise the token by."),
) -> None:
    """Create a personal API token; it is printed once and never shown again."""
    from .accounts import credentials
    from .accounts.rules import normalise_email
    from .accounts.tables import User

    db = _database()
    try:
        with db.transaction() as session:
            user = session.scalars(select(User).where(User.email == normalise_email(email))).first()
            if user is None:
                console.print(f"[red]No user with e-mail {email}.[/red]")
                raise typer.Exit(1)
            _, plain = credentials.create_api_token(session, user, name)
    except DomainError as error:
        _fail(error)
    sys.stdout.write(plain + "\n")


@app.command("import-catalog")
def import_catalog(
    files: list[Path] = typer.Argument(..., help="JSON Lines files in the catalog import format.", exists=True),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Import the good lines of a file with bad ones."),
) -> None:
    """Import services selected elsewhere; they are published at once."""
    from rich.progress import Progress

    from .catalog.importer import count_lines, import_files

    db = _database()
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


@app.command()
def search(
    query: str = typer.Argument(..., help="What to look for, in Korean or English."),
    limit: int = typer.Option(10, help="How many results."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines instead of a table."),
) -> None:
    """Search the published catalog, ranked as the platform ranks it."""
    import json

    from rich.table import Table

    from .search.index import search as run_search

    with _database().reading() as session:
        hits = run_search(session, query, limit=limit)
        rows = [
            {
                "code": h.service.code,
                "ref": h.service.ref,
                "name": h.service.name,
                "supplier": h.service.supplier.name,
                "score": round(h.score, 4),
            }
            for h in hits
        ]
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    table = Table("code", "name", "supplier", "score")
    for row in rows:
        table.add_row(row["code"], row["name"], row["supplier"], str(row["score"]))
    console.print(table)


@app.command()
def reindex() -> None:
    """Rebuild the search index (after the analyzer or the synonyms changed)."""
    from .search.index import reindex as rebuild

    with _database().transaction() as session:
        count = rebuild(session)
    console.print(f"{count} services indexed.")


@app.command("suspend-expired")
def suspend_expired() -> None:
    """Suspend published cloud services whose CSAP certificate has expired (run it daily)."""
    from .catalog.workflow import suspend_expired_certificates

    with _database().transaction() as session:
        suspended = suspend_expired_certificates(session)
        for service in suspended:
            console.print(f"Suspended {service.code} {service.name}: {service.status_reason}")
    console.print(f"{len(suspended)} services suspended.")


@app.command("expire-contracts")
def expire_contracts() -> None:
    """Expire catalog contracts whose period has ended (run it daily)."""
    from .contracting.catalog_contracts.officer_steps import expire_due_catalog_contracts
    from .core.clock import today_kst

    with _database().transaction() as session:
        expired = expire_due_catalog_contracts(session, today_kst())
        for contract in expired:
            console.print(f"Expired {contract.number} ({contract.service.code}), period ended {contract.period_end}")
    console.print(f"{len(expired)} catalog contracts expired.")


@app.command("advance-orders")
def advance_orders() -> None:
    """Activate contracted orders whose start date has come and complete those whose period ended (daily)."""
    from .contracting.orders.ending import activate_and_complete_due_orders
    from .core.clock import today_kst

    with _database().transaction() as session:
        advanced = activate_and_complete_due_orders(session, today_kst())
    for code in advanced.activated:
        console.print(f"Active from today: {code}")
    for code in advanced.completed:
        console.print(f"Completed: {code}")
    console.print(f"{len(advanced.activated)} orders activated, {len(advanced.completed)} completed.")


@app.command("run-daily")
def run_daily_command(
    day: str = typer.Option(None, "--today", help="Run as on this day (YYYY-MM-DD); default: today in Korea."),
) -> None:
    """Run the daily jobs once: certificates (suspending expired ones), catalog contract expiry, order
    activation, and the reminders of deadlines, each sent once per threshold."""
    from datetime import date

    from .notifications.daily import run_daily

    today = None
    if day:
        try:
            today = date.fromisoformat(day)
        except ValueError:
            console.print(f"[red]--today must be a date like 2026-12-31, not {day!r}.[/red]")
            raise typer.Exit(2) from None
    report = run_daily(_database(), get_settings(), today)
    for name, count in report.counts.items():
        console.print(f"{name}: {count}")
    for name, problem in report.problems.items():
        console.print(f"[red]{name} failed: {problem}[/red]")
    if report.problems:
        raise typer.Exit(1)


@app.command()
def worker(
    once: bool = typer.Option(False, "--once", help="Run the daily jobs and send what is due, then stop."),
    interval: float = typer.Option(15.0, help="Seconds between two looks at the outbox."),
) -> None:
    """Send notification e-mails from the outbox (DM_SMTP_URL; the log without it), retrying failures
    with backoff, and run the daily jobs once a day."""
    import logging
    import signal
    import threading

    from .notifications.rules import parse_smtp_url
    from .notifications.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    if settings.smtp_url:
        try:
            target = parse_smtp_url(settings.smtp_url)
        except ValueError as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
        console.print(f"Sending e-mail through {target.host}:{target.port} ({target.security}).")
    else:
        console.print("DM_SMTP_URL is not set: e-mails are written to the log.")
    stop = threading.Event()
    for name in ("SIGTERM", "SIGINT"):
        signal.signal(getattr(signal, name), lambda *_: stop.set())

    def daily(report) -> None:
        counts = ", ".join(f"{k} {v}" for k, v in report.counts.items())
        console.print(f"Daily jobs for {report.today}: {counts}")
        for name, problem in report.problems.items():
            console.print(f"[red]{name} failed: {problem}[/red]")

    def batch(done) -> None:
        console.print(f"E-mail: {len(done.sent)} sent, {len(done.failed)} to retry, {len(done.skipped)} not wanted.")

    from .core.consumers import Follower, run

    db = _database()
    run(db, wait=True)
    follower = None if once else Follower.start(db)
    run_worker(db, settings, once=once, interval=interval, stop=stop, on_daily=daily, on_batch=batch)
    if follower is not None:
        follower.stop()


@app.command()
def follow() -> None:
    """Sequence the committed audit events and bring every after-commit consumer up to the log's end."""
    from .core.consumers import run

    report = run(_database(), wait=True)
    handled = ", ".join(f"{name} {count}" for name, count in report.handled.items())
    console.print(f"{report.sequenced} events sequenced; handled: {handled}.")
    for name, problem in report.failed.items():
        console.print(f"[red]{name} failed: {problem}[/red]")
    if report.failed:
        raise typer.Exit(1)


@app.command()
def rebuild(
    name: str = typer.Argument(..., help="The consumer to replay from the start (see `digitalmarket follow`)."),
) -> None:
    """Empty what an after-commit consumer wrote and replay the whole audit log through it (its result is
    the same as when it followed the log live)."""
    from .core.consumers import installed, replay

    names = [each.name for each in installed()]
    if name not in names:
        console.print(f"[red]No consumer is called {name!r}; there are: {', '.join(names)}.[/red]")
        raise typer.Exit(2)
    report = replay(_database(), name)
    if report.failed:
        console.print(f"[red]{name} failed: {report.failed[name]}[/red]")
        raise typer.Exit(1)
    console.print(f"{name}: {report.handled.get(name, 0)} events replayed.")


@app.command("export-ocds")
def export_ocds(
    directory: Path = typer.Argument(..., help="Folder to write releases.jsonl and record-package.json into."),
    since: str = typer.Option(None, "--since", help="Only releases dated on or after this day (YYYY-MM-DD)."),
) -> None:
    """Export every OCDS release as release packages (JSON Lines) and a record package, streaming."""
    from datetime import date

    from rich.progress import Progress

    from .opendata.export import count, export, in_two_processes

    day = None
    if since:
        try:
            day = date.fromisoformat(since)
        except ValueError:
            console.print(f"[red]--since must be a date like 2026-01-31, not {since!r}.[/red]")
            raise typer.Exit(2) from None
    db = _database()
    with Progress(console=console) as progress:
        total = count(db, day)
        task = progress.add_task("OCDS releases", total=total)
        advance = lambda n: progress.advance(task, n)  # noqa: E731
        done = export(db, directory, get_settings().base_url, day, advance, parallel=in_two_processes(db, total))
    console.print(f"{done.releases} releases and {done.records} records written to {directory}.")


@app.command("ocds-backfill")
def ocds_backfill() -> None:
    """Write the OCDS releases missing for the events of the audit log, with their original dates, as the
    consumer ``opendata`` writes them (running it again writes nothing; ``rebuild opendata`` writes all again)."""
    from .opendata.follow import backfill

    with _database().transaction() as session:
        written = backfill(session)
    console.print(f"{written} OCDS releases written.")


@app.command("audit-verify")
def audit_verify(
    head: list[Path] = typer.Option(
        None, "--head", exists=True, help="A tree head saved outside (JSON from GET /api/v1/audit/tree-head)."
    ),
) -> None:
    """Recompute the audit chain and its Merkle tree: exit 1 naming the first row that does not match, or a
    signed tree head (stored, or saved outside with --head) that the entries no longer give."""
    import json

    from .core.audit import verify_chain
    from .core.tree_heads import SignedHead, signing_key, verify_heads

    extra = []
    for file in head or []:
        try:
            extra.append(SignedHead.from_json(json.loads(file.read_text()), source=file.name))
        except (ValueError, UnicodeDecodeError) as error:
            console.print(f"[red]{file} is not a tree head: {error}[/red]")
            raise typer.Exit(2) from None
    from .core.consumers import run

    key = signing_key(get_settings().data_dir)
    db = _database()
    run(db, wait=True, only=())  # the committed entries are sequenced first
    with db.reading() as session:
        report = verify_chain(session)
        heads = verify_heads(session, key.public_key() if key else None, extra)
    if not report.ok:
        console.print(f"[red]Audit chain broken at row {report.broken_id}: {report.problem}.[/red]")
        console.print(f"{report.checked} rows before it are intact.")
    for problem in heads.problems:
        console.print(f"[red]Tree heads: {problem}.[/red]")
    if not report.ok or not heads.ok:
        raise typer.Exit(1)
    console.print(f"Audit chain intact: {report.checked} rows checked; {heads.heads} signed tree heads match.")


@app.command("audit-head")
def audit_head() -> None:
    """Sign and store a tree head of the audit log (the Merkle root of every entry so far), published under
    /api/v1/audit; the key is DM_AUDIT_SIGNING_KEY or the file audit_signing_key.pem in the data folder."""
    from .core.consumers import run
    from .core.tree_heads import make_head, signing_key

    key = signing_key(get_settings().data_dir, create=True)
    db = _database()
    run(db, wait=True, only=())  # the committed entries are sequenced first
    with db.transaction() as session:
        head = make_head(session, key)
        number, size, root = head.id, head.tree_size, head.root_hash
    console.print(f"Tree head #{number} signed: {size} entries, root {root}.")


@app.command()
def backup(
    file: Path = typer.Argument(..., help="The archive to write (.tar.gz); an existing file is replaced."),
) -> None:
    """Back up the database (SQLite online backup, or pg_dump) and the uploaded documents into one archive
    with a manifest of checksums; the platform may keep running."""
    from .core.backup import create_backup

    settings = get_settings()
    try:
        manifest = create_backup(settings.database_url, settings.documents_dir, file)
    except DomainError as error:
        _fail(error)
    console.print(
        f"Backup written to {file}: {manifest['database']['kind']} database at revision "
        f"{manifest['database']['alembic_revision']}, {manifest['documents']} documents."
    )


@app.command()
def restore(
    file: Path = typer.Argument(..., help="An archive written by `digitalmarket backup`.", exists=True),
) -> None:
    """Restore a backup into an EMPTY database (DM_DATABASE_URL, of the backup's kind) and an empty documents
    folder; every file is checked against the manifest and the audit chain is verified afterwards."""
    from .core.backup import restore_backup

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        report = restore_backup(file, settings.database_url, settings.documents_dir)
    except DomainError as error:
        _fail(error)
    console.print(
        f"Restored a {report.kind} database at revision {report.revision} and {report.documents} documents; "
        f"audit chain intact ({report.audit_rows} rows)."
    )


if __name__ == "__main__":
    app()
