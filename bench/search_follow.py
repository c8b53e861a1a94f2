"""Search facts after a change: the CPU a process spends to show one change of the catalog in search.

Before, every change of what the search facts hold (a review, a contract, a supplier's new name ...) made
every process load the facts of every published service again, and build their columns. Now a process
follows the event log and loads again the facts of only the services the change touched (`search/facts.py`,
`search/changes.py`). This measures both on the generated catalog of `search_speed.py` (SQLite, cached
under `var/bench/`; a copy is changed, never the cache):

- full load: `facts.load` and the columns built from it (what each change cost each process before);
- follow, supplier resized: a supplier changes its size on its profile (accounts workflow), which touches
  each of its services (about one in 300), patched in place in the columns;
- follow, service suspended: an operator suspends one service, which leaves the catalog (the columns are
  built again from the facts in memory, nothing read but that service), columns included.

Each figure is the median CPU time (``time.process_time``) of ``--repeat`` runs, each on facts as a process
holds them (loaded, columns built). Usage: ``.venv/bin/python bench/search_follow.py [--size 10000]``;
writes `bench/results/search_follow.json`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

import search_speed  # noqa: E402

RESULT = ROOT / "bench" / "results" / "search_follow.json"


def _cpu(work) -> tuple[float, object]:
    started = time.process_time()
    result = work()
    return time.process_time() - started, result


def _ready(followed):
    """The followed facts with their columns (patched, or built again when a service left the catalog)."""
    if followed is not None:
        followed.columns  # noqa: B018
    return followed


def measure(url: str, repeat: int) -> dict:
    from sqlalchemy import func, select

    from digitalmarket import subscribers
    from digitalmarket.accounts import profiles
    from digitalmarket.accounts.permissions import Actor
    from digitalmarket.accounts.rules import Role
    from digitalmarket.accounts.tables import Organisation
    from digitalmarket.catalog import workflow as catalog
    from digitalmarket.catalog.tables import Service
    from digitalmarket.core.database import Database
    from digitalmarket.search import facts
    from digitalmarket.search.changes import head

    subscribers.install()
    db = Database(url)

    def loaded():
        with db.reading() as session:
            known = facts.load(session)
            known.columns  # noqa: B018 - as a process that has searched holds them
            return known

    def actor(role: Role, org: Organisation) -> Actor:
        return Actor(None, "bench@example.kr", "bench", role, org.id, org.name, str(org.kind))

    def resize(number: int) -> int:
        with db.transaction() as session:
            supplier_id = session.scalars(
                select(Service.supplier_id).group_by(Service.supplier_id).order_by(func.count().desc())
            ).all()[number]
            org = session.get(Organisation, supplier_id)
            size = "large" if org.size != "large" else "sme"
            change = profiles.SupplierProfileChange(
                version=org.version, name=org.name, representative=org.representative or "대표", size=size
            )
            profiles.update_supplier_profile(session, actor(Role.SUPPLIER, org), change)
            return session.scalar(select(func.count()).where(Service.supplier_id == supplier_id))

    def suspend(number: int) -> int:
        with db.transaction() as session:
            found = session.scalars(select(Service).where(Service.status == "published").order_by(Service.id))
            service = found.all()[number * 97]
            operator = session.scalars(select(Organisation)).first()
            catalog.change_status(
                session, actor(Role.OPERATOR, operator), service.code, "suspend", "점검", service.version
            )
            return 1

    def follow_after(change) -> tuple[list[float], int]:
        seconds, touched = [], 0
        for number in range(repeat):
            known = loaded()
            touched = change(number)
            with db.reading() as session:
                spent, followed = _cpu(lambda s=session, k=known: _ready(facts.follow(s, k, head(s)[0])))
            assert followed is not None
            seconds.append(spent)
        return seconds, touched

    full = []
    with db.reading() as session:
        size = session.scalar(select(func.count()).where(Service.status == "published"))
    for _ in range(repeat):
        spent, _known = _cpu(loaded)
        full.append(spent)
    resized, resized_services = follow_after(resize)
    suspended, _ = follow_after(suspend)
    db.dispose()

    def ms(values: list[float]) -> float:
        return round(statistics.median(values) * 1000, 1)

    return {
        "published_services": size,
        "full_load_cpu_ms": ms(full),
        "follow_supplier_resized_cpu_ms": ms(resized),
        "supplier_services_touched": resized_services,
        "follow_service_suspended_cpu_ms": ms(suspended),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sample", default="", help="folder of services.jsonl (default: shared/data/search-dev)")
    args = parser.parse_args()
    sample_dir = Path(args.sample) if args.sample else search_speed.shared_dir() / "data" / "search-dev"
    sample_path = sample_dir / "services.jsonl"
    catalog_path = search_speed.catalog_file(sample_path, args.size, False)
    url, _ = search_speed.prepare_sqlite(args.size, catalog_path, search_speed.cache_key(sample_path), False)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "market.sqlite3"
        shutil.copy(url.removeprefix("sqlite:///"), copy)
        figures = measure(f"sqlite:///{copy}", args.repeat)
    result = {
        "benchmark": "search_follow",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": search_speed.commit()["commit"],
        "database": "sqlite",
        "size": args.size,
        "repeat": args.repeat,
        **figures,
    }
    RESULT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
