"""A short fuzzing round of the whole Open API (see tests/trust/fuzzing.py; `bench/fuzz_api.sh` runs the
long one): generated valid and invalid input for every operation, each operation called by one of the
identities its rule admits, in turn, so that every role takes part, and every GET with valid input by each
identity it admits, since what a list or a page holds differs by role. No 5xx, no response outside its
schema."""

import pytest

from digitalmarket.demo import seed_demo_work
from tests.helpers import api_token
from tests.trust.fuzzing import IDENTITIES, fuzz


@pytest.fixture
def backend():
    return "sqlite"  # one backend is enough for fuzzing; the API behaves the same on both


def test_no_operation_fails_or_breaks_its_schema(app, demo, settings):
    with demo.transaction() as session:
        seed_demo_work(session, settings.documents_dir, catalog=False)
    tokens = {name: api_token(demo, email) for name, email in IDENTITIES.items() if email}
    report = fuzz(app, tokens, examples=1, rotate=True)
    assert report.operations > 100
    assert report.statuses["200"] > 0 and report.statuses["422"] > 0
    assert set(report.answered) == set(IDENTITIES), report.answered  # every role signed in and answered
    problems = [f"{f.operation} as {f.identity}: {f.kind}\n{f.detail[:800]}" for f in report.findings]
    assert problems == [], "\n\n".join(problems)
