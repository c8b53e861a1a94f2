"""CPU time of an order's contract document (계약서 PDF), the one made at the award and again when both
sides have confirmed.

    python bench/contract_document.py [--processes 12] [--documents 40] [--label after] [--src DIR]

Set-up, through the workflows on the embedded SQLite default with the demo data (`migrate`, `seed-demo`):
buyer@demo.kr asks a published service of a demo supplier for every price plan it has, the supplier's
user answers below the catalog price, the buyer awards it (`awarding.award`; the draft is made after its
commit by the consumer in `orders.documents`) and both sides confirm (`confirming.confirm`; the document of
record follows the second). The terms of the two documents are
read as the award and the second confirmation read them (`documents.terms_of`) and saved.

Measured: ``documents.layout.contract_pdf`` on those terms, the function both call, in ``--processes`` fresh
processes (the first document a process makes pays for reading the fonts), each then making ``--documents``
more: CPU milliseconds (thread time) per document, p50/p95, for the first document of a process and for the
later ones, the draft and the concluded document alternating, and the document's size. ``--src`` measures
another checkout's ``src`` on the same terms (how the "before" figures were taken: ``git archive`` of the
commit before into a folder). Figures go to bench/results/contract_document.json under ``--label`` with
the machine, date, commit and load average. Benchmarks measure; they never fail.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import pickle
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DEFAULT_JSON = RESULTS / "contract_document.json"
CLI = [sys.executable, "-m", "digitalmarket.cli"]
GOAL_MS = 30


def prepare(data_dir: Path) -> list:
    """The terms of an awarded order's draft and of its document of record, made through the workflows."""
    env = {**os.environ, "DM_DATA_DIR": str(data_dir)}
    env.pop("DM_DATABASE_URL", None)
    for command in ("migrate", "seed-demo"):
        subprocess.run([*CLI, command], env=env, check=True, capture_output=True)
    os.environ["DM_DATA_DIR"] = str(data_dir)
    os.environ.pop("DM_DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))

    from sqlalchemy import select

    from digitalmarket import subscribers
    from digitalmarket.accounts.rules import Role
    from digitalmarket.accounts.tables import User
    from digitalmarket.accounts.user_accounts import actor_of
    from digitalmarket.catalog.tables import Service
    from digitalmarket.contracting.orders import confirming, documents
    from digitalmarket.contracting.quotes import answering, asking, awarding
    from digitalmarket.contracting.tables import Order, Quote
    from digitalmarket.core.clock import today_kst
    from digitalmarket.core.database import Database
    from digitalmarket.core.settings import load_settings

    subscribers.install()  # the consumers make each document right after the step's commit, as in the app
    settings = load_settings()
    db = Database(settings.database_url)
    today = today_kst()
    try:
        with db.reading() as session:
            buyer = actor_of(session.scalars(select(User).where(User.email == "buyer@demo.kr")).one())
            sellers = select(User).where(User.role == Role.SUPPLIER, User.is_active).order_by(User.id)
            service = supplier = None
            for user in session.scalars(sellers):
                query = select(Service).where(
                    Service.supplier_id == user.organisation_id, Service.status == "published"
                )
                service = next((s for s in session.scalars(query.order_by(Service.id)) if len(s.price_plans) > 1), None)
                if service is not None:
                    supplier = actor_of(user)
                    break
            asked = [asking.LineIn(plan.id, 10 * (number + 1), 12) for number, plan in enumerate(service.price_plans)]
            code = service.code
        data = asking.RequestIn(
            title="업무용 협업 서비스 도입",
            requirements="GPKI 로그인, 망분리 환경 지원, 행정전자서명 연동",
            desired_start=today + timedelta(days=14),
            deadline=today + timedelta(days=7),
            services=[asking.ServiceAsk(code, asked)],
        )
        with db.transaction() as session:
            request = asking.create_request(session, buyer, data)
            request_id, quote_id = request.id, request.quotes[0].id
        with db.reading() as session:
            quote = session.get(Quote, quote_id)
            version, prices = quote.version, {line.id: int(line.catalog_unit_price * 0.9) for line in quote.lines}
        with db.transaction() as session:
            answering.answer(session, supplier, quote_id, version, prices, today + timedelta(days=30), "연간 할인")
        with db.reading() as session:
            version = session.get(Quote, quote_id).version
        with db.transaction() as session:
            order_id = awarding.award(session, buyer, request_id, quote_id, version, reason="최저가 견적").id
        terms = [_terms_of(db, Order, documents, order_id)]
        for who in (buyer, supplier):
            with db.reading() as session:
                version = session.get(Order, order_id).version
            with db.transaction() as session:
                confirming.confirm(session, who, order_id, version)
        terms.append(_terms_of(db, Order, documents, order_id))
        return terms
    finally:
        db.dispose()


def _terms_of(db, order_table, documents, order_id: int):
    """The terms of the order's current version, as `orders.documents.make_pending` reads them."""
    with db.reading() as session:
        order = session.get(order_table, order_id)
        version = max(order.versions, key=lambda v: v.seq)
        lines = sorted((line for line in order.lines if line.seq == version.seq), key=lambda line: line.position)
        return documents.terms_of(order, version, lines, documents.order_catalog_number(order))


#: Where the terms of a contract document were defined before ``contracting/document.py`` became the
#: ``contracting.documents`` package (a ``--src`` tree from before then is measured too).
OLD_TERMS_MODULE = "digitalmarket.contracting.document"
TERMS_MODULE = "digitalmarket.contracting.documents.terms"


def _layout():
    """``contract_pdf`` and the module of its terms, in this tree or in one from before the package."""
    try:
        from digitalmarket.contracting.documents.layout import contract_pdf
    except ImportError:
        from digitalmarket.contracting.document import contract_pdf

        return contract_pdf, OLD_TERMS_MODULE
    return contract_pdf, TERMS_MODULE


class _TermsUnpickler(pickle.Unpickler):
    """Loads terms pickled by this tree into the module that defines them in the measured one."""

    def __init__(self, file, terms_module: str) -> None:
        super().__init__(file)
        self.terms_module = terms_module

    def find_class(self, module: str, name: str):
        if module in (OLD_TERMS_MODULE, TERMS_MODULE):
            module = self.terms_module
        return super().find_class(module, name)


def measure_here(terms_file: Path, documents: int) -> dict:
    """In this (fresh) process: the first document, then ``documents`` more."""
    contract_pdf, terms_module = _layout()
    terms = _TermsUnpickler(io.BytesIO(terms_file.read_bytes()), terms_module).load()
    samples, digests, sizes = [], {}, {}
    for number in range(documents + 1):
        doc = terms[number % len(terms)]
        started = time.thread_time()
        pdf = contract_pdf(doc)
        samples.append((time.thread_time() - started) * 1000)
        digests.setdefault(number % len(terms), set()).add(hashlib.sha256(pdf).hexdigest())
        sizes[number % len(terms)] = len(pdf)
    return {
        "first_ms": samples[0],
        "later_ms": samples[1:],
        "sha256": [sorted(d) for d in digests.values()],
        "sizes": sizes,
    }


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=12, help="fresh processes, each a first document")
    parser.add_argument("--documents", type=int, default=40, help="documents after the first in each process")
    parser.add_argument("--label", default="latest")
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the src folder whose code is measured")
    parser.add_argument("--terms", type=Path, help="terms saved by an earlier run (default: made anew)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    parser.add_argument("--measure-here", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure_here:
        sys.path.insert(0, str(args.src))
        print(json.dumps(measure_here(args.measure_here, args.documents)))
        return

    work = Path(tempfile.mkdtemp(prefix="dm-bench-contract-"))
    terms_file = args.terms or work / "terms.pickle"
    if not args.terms:
        terms_file.write_bytes(pickle.dumps(prepare(work / "data")))
    load_before = os.getloadavg()
    runs = []
    for _ in range(args.processes):
        command = [sys.executable, __file__, "--measure-here", str(terms_file), "--src", str(args.src)]
        command += ["--documents", str(args.documents)]
        env = {"DM_FRONTEND_DIR": str(ROOT / "node_modules"), **os.environ}  # the fonts, whichever --src
        out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT, env=env).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    first = [run["first_ms"] for run in runs]
    later = [sample for run in runs for sample in run["later_ms"]]
    deterministic = (
        all(len(d) == 1 for run in runs for d in run["sha256"])
        and len({tuple(map(tuple, run["sha256"])) for run in runs}) == 1
    )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit.strip(),
        "src": str(args.src),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]},
        "processes": args.processes,
        "documents_per_process": args.documents,
        "first_document_cpu_ms": {"p50": _percentile(first, 0.5), "p95": _percentile(first, 0.95), "n": len(first)},
        "later_documents_cpu_ms": {"p50": _percentile(later, 0.5), "p95": _percentile(later, 0.95), "n": len(later)},
        "goal_ms": GOAL_MS,
        "document_bytes": {"draft": runs[0]["sizes"]["0"], "concluded": runs[0]["sizes"]["1"]},
        "same_bytes_in_every_process": deterministic,
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    existing = json.loads(args.json.read_text()) if args.json.exists() else {}
    existing[args.label] = result
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(existing, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
