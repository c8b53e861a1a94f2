"""Fuzzing the Open API with schemathesis, in-process (ASGI), as every role.

Each operation of ``/api/v1/openapi.json`` is called with generated parameters and bodies by every identity
its access rule admits (anonymous too for public operations, anonymous alone for the others), with that
identity's personal API token. Two properties must hold for every response: no 5xx, and a body that
matches the response schema the operation declares. ``tests/trust/test_fuzz_api.py`` runs a short round;
``bench/fuzz_api.sh`` runs a longer one and writes ``bench/results/fuzz_api.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from digitalmarket.core.database import Database
from digitalmarket.core.migrate import upgrade
from digitalmarket.core.settings import PROJECT_ROOT, Settings
from digitalmarket.web.app import create_app
from tests.helpers import api_token
from tests.web.test_routes import declared_rules

IDENTITIES = {
    "anonymous": None,
    "supplier": "supplier@demo.kr",
    "agency_buyer": "buyer@demo.kr",
    "operator": "operator@demo.kr",
    "reviewer": "reviewer@demo.kr",
    "contracting_officer": "officer@demo.kr",
    "admin": "admin@demo.kr",
}

#: Operations left out: revoking or rotating a token, or a password change (which revokes tokens), would sign
#: the fuzzer itself out of the remaining operations.
SKIPPED = {
    ("DELETE", "/api/v1/tokens/{token_id}"),
    ("POST", "/api/v1/tokens/{token_id}/rotate"),
    ("POST", "/api/v1/me/password"),
}


@dataclass
class Finding:
    operation: str
    identity: str
    kind: str
    detail: str


@dataclass
class Report:
    examples_per_operation: int
    operations: int = 0
    calls: int = 0
    statuses: Counter = field(default_factory=Counter)
    answered: Counter = field(default_factory=Counter)  # 2xx answers per identity
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "examples_per_operation_and_identity": self.examples_per_operation,
            "operations": self.operations,
            "calls": self.calls,
            "statuses": dict(sorted(self.statuses.items())),
            "2xx_by_identity": dict(sorted(self.answered.items())),
            "findings": [finding.__dict__ for finding in self.findings],
            "seconds": round(self.seconds, 1),
        }


def admitted(access) -> list[str]:
    """The identities whose calls the rule lets through (anonymous alone when it admits nobody signed out)."""
    rule = access.rule
    if rule.anonymous:
        return list(IDENTITIES)
    names = [name for name in IDENTITIES if name != "anonymous" and (rule.roles is None or name in rule.roles)]
    return names + ["anonymous"]


def _kinds(error: BaseException) -> list[str]:
    """Schemathesis raises a group of failures (``ServerError``, ``JsonSchemaError`` ...); anything else is
    an error of the harness or the transport, reported by its type."""
    inner = getattr(error, "exceptions", None)
    return sorted({type(e).__name__ for e in inner}) if inner else [type(error).__name__]


def fuzz(app, tokens: dict[str, dict[str, str]], examples: int, seed: int = 0, rotate: bool = False) -> Report:
    """Fuzz every operation of the app as every identity its rule admits; findings are collected, not raised.

    ``rotate`` (the short run of the test suite) takes one admitted identity per operation, in turn, for valid
    and invalid input, so every role calls a share of the operations; what a role reads differs by role, so
    every GET is also called with valid input by each of the other identities it admits."""
    report = Report(examples)
    started = time.monotonic()
    rules = declared_rules(app)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    for result in schema.get_all_operations():
        operation = result.ok()
        key = (operation.method.upper(), operation.path if operation.path.startswith("/api/") else operation.full_path)
        if key in SKIPPED or key not in rules:
            continue
        report.operations += 1
        identities = admitted(rules[key])
        readers: list[str] = []
        if rotate:
            turn = identities[report.operations % len(identities)]
            if key[0] == "GET":  # anonymous is refused alike by a signed-in-only GET: once, in its turn, is enough
                signed_out = rules[key].rule.anonymous
                readers = [n for n in identities if n != turn and (signed_out or n != "anonymous")]
            identities = [turn]
        label = f"{key[0]} {key[1]}"
        for identity in identities:
            _fuzz_one(report, operation, label, identity, tokens.get(identity, {}), examples, seed)
        for identity in readers:
            checks = [not_a_server_error, response_schema_conformance]
            mode = GenerationMode.POSITIVE
            _fuzz_mode(report, operation, label, identity, tokens.get(identity, {}), examples, seed, mode, checks)
    report.seconds = time.monotonic() - started
    return report


def _fuzz_one(report: Report, operation, label: str, identity: str, headers: dict, examples: int, seed: int) -> None:
    """Valid data (positive) must give a schema-conforming answer; invalid data (negative) a 4xx, never a 5xx."""
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        checks = [not_a_server_error, response_schema_conformance]
        if mode is GenerationMode.NEGATIVE:
            checks = [not_a_server_error]
        _fuzz_mode(report, operation, label, identity, headers, examples, seed, mode, checks)


def _fuzz_mode(report, operation, label, identity, headers, examples, seed, mode, checks) -> None:
    seen: set[str] = set()

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed == 0,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        report.calls += 1
        try:
            response = case.call(headers=headers)
            report.statuses[str(response.status_code)] += 1
            if response.status_code < 300:
                report.answered[identity] += 1
            case.validate_response(response, checks=checks)
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - every failure is a finding to report
            for kind in _kinds(error):
                if kind not in seen:  # one finding per kind, operation, identity and mode
                    seen.add(kind)
                    detail = str(error) or traceback.format_exc(limit=3)
                    report.findings.append(Finding(label, identity, f"{mode.value}: {kind}", detail[:2000]))

    with contextlib.suppress(Unsatisfiable):  # nothing to make invalid (no parameters, no body)
        run()


def build(data_dir: Path, database_url: str | None = None):
    """A migrated database with the demo accounts and work, the app, and a token per identity."""
    from digitalmarket.demo import seed_demo, seed_demo_work

    url = database_url or f"sqlite:///{data_dir / 'market.sqlite3'}"
    db = Database(url)
    upgrade(db.engine)
    settings_ = Settings(
        data_dir=data_dir,
        database_url=url,
        secret_key="fuzz",
        frontend_dir=PROJECT_ROOT / "node_modules",
        api_limit_per_token=0,  # a long round calls faster than any integrator may
        api_limit_per_address=0,
    )
    with db.transaction() as session:
        seed_demo(session)
        seed_demo_work(session, settings_.documents_dir, catalog=False)
    app = create_app(settings_, db)
    tokens = {name: api_token(db, email) for name, email in IDENTITIES.items() if email}
    return app, db, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=25, help="examples per operation and identity")
    parser.add_argument("--seed", type=int, default=0, help="0: the same examples every run")
    parser.add_argument("--out", type=Path, help="write the report as JSON here")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="dm-fuzz-"))
    try:
        app, db, tokens = build(data_dir)
        report = fuzz(app, tokens, args.examples, args.seed)
        db.dispose()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    result = report.as_dict() | {"schemathesis": schemathesis.SCHEMATHESIS_VERSION}
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
