"""The command line: `digitalmarket --help`, or `python -m digitalmarket.cli`.

The app is here; each module beside it holds the commands of one area and registers them below: `data`
(migrations, demo data, backup and restore), `serving` (the web server, the worker and the daily jobs),
`accounts` (users and API tokens), `catalog` (import, search, reindex), `audit` (the consumers that follow
the audit log, its chain and signed tree heads), `opendata` (the OCDS files) and `signatures` (verifying a
signed PDF offline, organisations' signing certificates). What they share, the
settings, the database and the console, is in `environment`.
"""

from __future__ import annotations

import typer

from .. import subscribers
from . import accounts, audit, catalog, data, opendata, serving, signatures

app = typer.Typer(help="디지털서비스 마켓: run, migrate, seed and check the platform.", no_args_is_help=True)


@app.callback()
def _start() -> None:
    # every command writes through the workflows: their events reach the subscribers installed here
    subscribers.install()


data.register(app)
serving.register(app)
accounts.register(app)
catalog.register(app)
audit.register(app)
opendata.register(app)
signatures.register(app)
