"""Commands of the signed documents: verify a PDF offline (``verify``) and manage the organisations'
signing certificates (``certificate-issue``, ``certificate-revoke``). See docs/documents.md."""

from __future__ import annotations

from pathlib import Path

import typer

from .environment import console, database

CHANGES = {
    "none": "nothing changed after it",
    "timestamps": "only timestamps and validation data added after it",
    "signatures": "only later signatures added after it",
    "annotations": "annotations added after it",
    "other": "THE DOCUMENT WAS CHANGED AFTER THIS SIGNATURE",
}


def verify(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The PDF to check."),
    ca: Path | None = typer.Option(
        None,
        "--ca",
        exists=True,
        dir_okay=False,
        help="The platform's CA certificate (PEM, from /api/v1/verify/ca.pem). Without it, this installation's.",
    ),
) -> None:
    """Check a PDF's signatures and timestamp against the platform's CA, offline: who signed and when,
    whether the signed bytes are intact, whether anything changed after each signature. Exit status 0
    when every signature holds, 1 otherwise."""
    from ..signatures.verifying import load_certificate, verify_pdf

    if ca is not None:
        roots = [load_certificate(ca.read_bytes())]
    else:
        from ..signatures.authority import authority

        with database().reading() as session:
            row = authority(session)
            if row is None:
                console.print("[red]No CA here: give the platform's CA certificate with --ca ca.pem.[/red]")
                raise typer.Exit(2)
            roots = [load_certificate(row.certificate_der)]
    result = verify_pdf(file.read_bytes(), roots)
    console.print(f"{file.name}  SHA-256 {result.sha256}  ({result.size} bytes)")
    if not result.readable:
        console.print("[red]Not a readable PDF.[/red]")
        raise typer.Exit(1)
    if not result.signatures:
        console.print("[red]No signature.[/red]")
        raise typer.Exit(1)
    for check in result.signatures:
        who = "platform timestamp" if check.kind == "timestamp" else check.signer
        if check.signer_name:
            who += f" · {check.signer_name}"
        when = check.signed_at.isoformat() if check.signed_at else "-"
        state = "valid" if check.intact and check.valid and check.trusted else (
            "ALTERED" if not check.intact else "REVOKED" if check.revoked else "NOT TRUSTED" if not check.trusted
            else "INVALID"
        )  # fmt: skip
        colour = "green" if check.ok else "red"
        console.print(f"[{colour}]{check.field}: {who}, {when}: {state}; {CHANGES[check.changes_after]}[/{colour}]")
    if not result.ok:
        raise typer.Exit(1)
    console.print("[green]Every signature holds.[/green]")


def certificate_issue(
    organisation_id: int = typer.Argument(..., help="The organisation's id."),
) -> None:
    """Issue a new signing certificate to an organisation from the platform's CA (after a revocation or
    before the old one expires); it signs from now on."""
    from ..signatures.authority import issue_certificate

    with database().transaction() as session:
        row = issue_certificate(session, organisation_id)
        console.print(f"Issued certificate {row.serial} to {row.subject}, valid until {row.not_after:%Y-%m-%d}.")


def certificate_revoke(
    organisation_id: int = typer.Argument(..., help="The organisation's id."),
    reason: str = typer.Option("", "--reason", help="Why (kept with the revocation)."),
) -> None:
    """Revoke an organisation's signing certificate: it signs nothing more, and the CA's revocation list
    names it."""
    from ..core.errors import DomainError
    from ..signatures.authority import revoke

    try:
        with database().transaction() as session:
            row = revoke(session, organisation_id, reason)
            console.print(f"Revoked certificate {row.serial} of {row.subject}.")
    except DomainError as error:
        console.print(f"[red]{error.message.render('en')}[/red]")
        raise typer.Exit(1) from error


def register(app: typer.Typer) -> None:
    """Add the signed documents' commands to the command line."""
    app.command()(verify)
    app.command("certificate-issue")(certificate_issue)
    app.command("certificate-revoke")(certificate_revoke)
