"""Commands that run the platform: the web server, the worker that sends the e-mails of the outbox and runs
the daily jobs, and each daily job on its own (certificates, catalog contracts, orders, the whole daily run)."""

from __future__ import annotations

import typer

from .environment import console, current_settings, database


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(None, help="Port (default: $PORT or 8000)."),
    workers: int = typer.Option(1, help="Worker processes."),
) -> None:
    """Serve the platform over HTTP."""
    from ..web import server

    try:
        settings = current_settings()
    except ValueError as error:  # a setting that cannot be used, named in the message
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    console.print(f"디지털서비스 마켓 → http://{host}:{port or settings.port}")
    server.run(host=host, port=port or settings.port, workers=workers)


def worker(
    once: bool = typer.Option(False, "--once", help="Run the daily jobs and send what is due, then stop."),
    interval: float = typer.Option(15.0, help="Seconds between two looks at the outbox."),
) -> None:
    """Send notification e-mails from the outbox (DM_SMTP_URL; the log without it), retrying failures
    with backoff, and run the daily jobs once a day."""
    import logging
    import signal
    import threading

    from ..notifications.rules import parse_smtp_url
    from ..notifications.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = current_settings()
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

    from ..core.consumers import Follower, run

    db = database()
    run(db, wait=True)
    follower = None if once else Follower.start(db)
    run_worker(db, settings, once=once, interval=interval, stop=stop, on_daily=daily, on_batch=batch)
    if follower is not None:
        follower.stop()


def run_daily_command(
    day: str = typer.Option(None, "--today", help="Run as on this day (YYYY-MM-DD); default: today in Korea."),
) -> None:
    """Run the daily jobs once: certificates (suspending expired ones), catalog contract expiry, order
    activation, and the reminders of deadlines, each sent once per threshold."""
    from datetime import date

    from ..notifications.daily import run_daily

    today = None
    if day:
        try:
            today = date.fromisoformat(day)
        except ValueError:
            console.print(f"[red]--today must be a date like 2026-12-31, not {day!r}.[/red]")
            raise typer.Exit(2) from None
    report = run_daily(database(), current_settings(), today)
    for name, count in report.counts.items():
        console.print(f"{name}: {count}")
    for name, problem in report.problems.items():
        console.print(f"[red]{name} failed: {problem}[/red]")
    if report.problems:
        raise typer.Exit(1)


def suspend_expired() -> None:
    """Suspend published cloud services whose CSAP certificate has expired (run it daily)."""
    from ..catalog.certificates import suspend_expired_certificates

    with database().transaction() as session:
        suspended = suspend_expired_certificates(session)
        for service in suspended:
            console.print(f"Suspended {service.code} {service.name}: {service.status_reason}")
    console.print(f"{len(suspended)} services suspended.")


def expire_contracts() -> None:
    """Expire catalog contracts whose period has ended (run it daily)."""
    from ..contracting.catalog_contracts.officer_steps import expire_due_catalog_contracts
    from ..core.clock import today_kst

    with database().transaction() as session:
        expired = expire_due_catalog_contracts(session, today_kst())
        for contract in expired:
            console.print(f"Expired {contract.number} ({contract.service.code}), period ended {contract.period_end}")
    console.print(f"{len(expired)} catalog contracts expired.")


def advance_orders() -> None:
    """Activate contracted orders whose start date has come and complete those whose period ended (daily)."""
    from ..contracting.orders.ending import activate_and_complete_due_orders
    from ..core.clock import today_kst

    with database().transaction() as session:
        advanced = activate_and_complete_due_orders(session, today_kst())
    for code in advanced.activated:
        console.print(f"Active from today: {code}")
    for code in advanced.completed:
        console.print(f"Completed: {code}")
    console.print(f"{len(advanced.activated)} orders activated, {len(advanced.completed)} completed.")


def register(app: typer.Typer) -> None:
    """Add the commands that run the platform to the command line."""
    app.command()(serve)
    app.command()(worker)
    app.command("run-daily")(run_daily_command)
    app.command("suspend-expired")(suspend_expired)
    app.command("expire-contracts")(expire_contracts)
    app.command("advance-orders")(advance_orders)
