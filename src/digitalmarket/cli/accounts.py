"""Commands of accounts: create a user in an existing organisation, and a personal API token."""

from __future__ import annotations

import sys

import typer
from sqlalchemy import select

from ..core.errors import DomainError
from .environment import console, database, fail


def create_user(
    email: str = typer.Option(..., help="E-mail address (the log-in)."),
    name: str = typer.Option(..., help="Full name."),
    role: str = typer.Option(..., help="supplier, agency_buyer, operator, reviewer, contracting_officer or admin."),
    organisation: str = typer.Option(..., help="Organisation: its id, business number, agency code or exact name."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create an account in an existing organisation."""
    from ..accounts import user_accounts
    from ..accounts.rules import normalise_business_number
    from ..accounts.tables import Organisation

    db = database()
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
            user = user_accounts.create_user(
                session,
                None,
                user_accounts.NewUser(
                    email=email, name=name, role=role, organisation_id=org.id if org else None, password=password
                ),
            )
            console.print(f"Created user {user.id} <{user.email}> as {user.role} in {user.organisation.name}.")
    except DomainError as error:
        fail(error)


def create_token(
    email: str = typer.Option(..., help="Whose token."),
    name: str = typer.Option("cli", help="A name to recognise the token by."),
) -> None:
    """Create a personal API token; it is printed once and never shown again."""
    from ..accounts import api_tokens
    from ..accounts.rules import normalise_email
    from ..accounts.tables import User

    db = database()
    try:
        with db.transaction() as session:
            user = session.scalars(select(User).where(User.email == normalise_email(email))).first()
            if user is None:
                console.print(f"[red]No user with e-mail {email}.[/red]")
                raise typer.Exit(1)
            _, plain = api_tokens.create_api_token(session, user, name)
    except DomainError as error:
        fail(error)
    sys.stdout.write(plain + "\n")


def register(app: typer.Typer) -> None:
    """Add the account commands to the command line."""
    app.command("create-user")(create_user)
    app.command("create-token")(create_token)
