"""Commands of the audit log: bring the after-commit consumers up to its end (follow), replay one of them from
the start (rebuild), verify the chain and its signed tree heads, and sign a new tree head."""

from __future__ import annotations

from pathlib import Path

import typer

from .environment import console, current_settings, database


def follow() -> None:
    """Sequence the committed audit events and bring every after-commit consumer up to the log's end."""
    from ..core.consumers import run

    report = run(database(), wait=True)
    handled = ", ".join(f"{name} {count}" for name, count in report.handled.items())
    console.print(f"{report.sequenced} events sequenced; handled: {handled}.")
    for name, problem in report.failed.items():
        console.print(f"[red]{name} failed: {problem}[/red]")
    if report.failed:
        raise typer.Exit(1)


def rebuild(
    name: str = typer.Argument(..., help="The consumer to replay from the start (see `digitalmarket follow`)."),
) -> None:
    """Empty what an after-commit consumer wrote and replay the whole audit log through it (its result is
    the same as when it followed the log live)."""
    from ..core.consumers import installed, replay

    names = [each.name for each in installed()]
    if name not in names:
        console.print(f"[red]No consumer is called {name!r}; there are: {', '.join(names)}.[/red]")
        raise typer.Exit(2)
    report = replay(database(), name)
    if report.failed:
        console.print(f"[red]{name} failed: {report.failed[name]}[/red]")
        raise typer.Exit(1)
    console.print(f"{name}: {report.handled.get(name, 0)} events replayed.")


def audit_verify(
    head: list[Path] = typer.Option(
        None, "--head", exists=True, help="A tree head saved outside (JSON from GET /api/v1/audit/tree-head)."
    ),
) -> None:
    """Recompute the audit chain and its Merkle tree: exit 1 naming the first row that does not match, or a
    signed tree head (stored, or saved outside with --head) that the entries no longer give."""
    import json

    from ..core.audit import verify_chain
    from ..core.tree_heads import SignedHead, signing_key, verify_heads

    extra = []
    for file in head or []:
        try:
            extra.append(SignedHead.from_json(json.loads(file.read_text()), source=file.name))
        except (ValueError, UnicodeDecodeError) as error:
            console.print(f"[red]{file} is not a tree head: {error}[/red]")
            raise typer.Exit(2) from None
    from ..core.consumers import run

    key = signing_key(current_settings().data_dir)
    db = database()
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


def audit_head() -> None:
    """Sign and store a tree head of the audit log (the Merkle root of every entry so far), published under
    /api/v1/audit; the key is DM_AUDIT_SIGNING_KEY or the file audit_signing_key.pem in the data folder."""
    from ..core.consumers import run
    from ..core.tree_heads import make_head, signing_key

    key = signing_key(current_settings().data_dir, create=True)
    db = database()
    run(db, wait=True, only=())  # the committed entries are sequenced first
    with db.transaction() as session:
        head = make_head(session, key)
        number, size, root = head.id, head.tree_size, head.root_hash
    console.print(f"Tree head #{number} signed: {size} entries, root {root}.")


def register(app: typer.Typer) -> None:
    """Add the audit log commands to the command line."""
    app.command()(follow)
    app.command()(rebuild)
    app.command("audit-verify")(audit_verify)
    app.command("audit-head")(audit_head)
