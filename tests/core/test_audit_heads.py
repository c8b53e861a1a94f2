"""Signed tree heads make the audit log tamper-evident: truncating it, reordering or editing entries (even
with the chain rewritten to match) and forging a head are all named by `audit-verify`; the API publishes
the heads, the key and consistency proofs that verify with nothing but the RFC 9162 verifier."""

import base64
import json
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select, text
from typer.testing import CliRunner

from digitalmarket import cli
from digitalmarket.core.audit import GENESIS_HASH, AuditEvent, canonical_content, chain_hash, verify_chain
from digitalmarket.core.merkle import verify_consistency
from digitalmarket.core.settings import load_settings
from digitalmarket.core.tree_heads import KEY_FILE, verify_heads
from digitalmarket.notifications.daily import run_daily
from tests.helpers import page_login

runner = CliRunner()


@pytest.fixture
def cli_env(demo, settings, monkeypatch):
    """The command line pointed at the test's database and data folder."""
    monkeypatch.setenv("DM_DATABASE_URL", demo.url)
    monkeypatch.setattr("digitalmarket.cli.environment.get_settings", load_settings)
    return demo


def _cli(*args):
    return runner.invoke(cli.app, list(args))


def _count(db) -> int:
    with db.reading() as session:
        return session.scalar(select(text("count(*)")).select_from(AuditEvent))


def _rewrite_chain(db, mutate) -> None:
    """What someone with write access to the database can do: change rows, then recompute every hash so
    that the chain verifies again."""
    with db.transaction() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        mutate(rows)
        new_hashes, prev = [], GENESIS_HASH
        for row in rows:
            row.prev_hash, row.hash = prev, f"rewriting {row.id}"  # hashes are unique: let go of the old ones
            prev = chain_hash(prev, _content(row))
            new_hashes.append(prev)
        session.flush()
        for row, new_hash in zip(rows, new_hashes, strict=True):
            row.hash = new_hash
    with db.reading() as session:
        assert verify_chain(session).ok


def _content(row):
    return canonical_content(
        id=row.id,
        occurred_at=row.occurred_at,
        actor_user_id=row.actor_user_id,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        details=row.details,
        prev_hash=row.prev_hash,
    )


def _problems(db, settings) -> list[str]:
    from digitalmarket.core.tree_heads import signing_key

    with db.reading() as session:
        return verify_heads(session, signing_key(settings.data_dir).public_key()).problems


def test_deleting_the_last_rows_after_a_head_is_named(cli_env, settings):
    made = _cli("audit-head")
    assert made.exit_code == 0, made.output
    size = _count(cli_env)
    assert f"Tree head #1 signed: {size} entries" in made.output
    key_file = settings.data_dir / KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    ok = _cli("audit-verify")
    assert ok.exit_code == 0 and f"{size} rows checked; 1 signed tree heads match" in ok.output

    with cli_env.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id > :n"), {"n": size - 10})
    with cli_env.reading() as session:
        assert verify_chain(session).ok  # the chain alone cannot tell
    broken = _cli("audit-verify")
    assert broken.exit_code == 1
    assert f"the log has {size - 10} entries but head #1 signed {size}" in " ".join(broken.output.split())


def test_reordering_or_editing_entries_behind_a_head_is_named_even_with_the_chain_rewritten(demo, settings):
    from digitalmarket.core.tree_heads import make_head, signing_key

    with demo.transaction() as session:
        make_head(session, signing_key(settings.data_dir, create=True))
    assert _problems(demo, settings) == []

    def swap(rows):
        a, b = rows[3], rows[4]
        for column in ("actor_user_id", "action", "object_type", "object_id", "details"):
            first, second = getattr(a, column), getattr(b, column)
            setattr(a, column, second)
            setattr(b, column, first)

    _rewrite_chain(demo, swap)
    (problem,) = _problems(demo, settings)
    assert "head #1" in problem and "changed, removed or reordered" in problem

    _rewrite_chain(demo, swap)  # back as it was
    assert _problems(demo, settings) == []

    def edit(rows):
        rows[-1].details = {**rows[-1].details, "edited": True}

    _rewrite_chain(demo, edit)
    (problem,) = _problems(demo, settings)
    assert "head #1" in problem and "changed, removed or reordered" in problem


def test_the_api_publishes_heads_and_a_proof_that_the_log_only_grew(demo, settings, client):
    missing = client.get("/api/v1/audit/tree-head", headers={"Accept-Language": "ko"})
    assert missing.status_code == 404 and "트리 헤드" in missing.json()["error"]["message"]

    assert run_daily(demo, settings).counts["audit_tree_head"] == 1
    page_login(client, "buyer@demo.kr")  # the log grows
    assert run_daily(demo, settings).counts["audit_tree_head"] == 1

    heads = client.get("/api/v1/audit/tree-heads").json()["items"]
    newer, older = heads
    assert client.get("/api/v1/audit/tree-head").json() == newer
    assert (older["number"], newer["number"]) == (1, 2) and older["tree_size"] < newer["tree_size"] == _count(demo)

    key = client.get("/api/v1/audit/public-key").json()
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
    for head in heads:
        assert head["key_id"] == key["key_id"]
        lines = head["signed_data"].split("\n")
        assert lines[1:4] == [str(head["tree_size"]), str(head["timestamp"]), head["root_hash"]]
        public.verify(base64.b64decode(head["signature"]), head["signed_data"].encode())

    answer = client.get(f"/api/v1/audit/consistency?first={older['tree_size']}&second={newer['tree_size']}")
    proof = [bytes.fromhex(node) for node in answer.json()["proof"]]
    roots = bytes.fromhex(older["root_hash"]), bytes.fromhex(newer["root_hash"])
    assert verify_consistency(older["tree_size"], newer["tree_size"], *roots, proof)
    assert not verify_consistency(older["tree_size"], newer["tree_size"], *roots[::-1], proof)

    backwards = client.get("/api/v1/audit/consistency?first=5&second=4")
    beyond = client.get(f"/api/v1/audit/consistency?first=1&second={newer['tree_size'] + 1}")
    assert backwards.status_code == beyond.status_code == 422
    assert "second" in beyond.json()["error"]["fields"]


def test_a_forged_head_is_named_and_a_head_saved_outside_outlives_the_stored_ones(cli_env, settings, client, tmp_path):
    assert _cli("audit-head").exit_code == 0
    saved = tmp_path / "head.json"
    saved.write_text(client.get("/api/v1/audit/tree-head").text)
    assert _cli("audit-verify", "--head", str(saved)).exit_code == 0

    forged = json.loads(saved.read_text()) | {"tree_size": 3}
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    result = _cli("audit-verify", "--head", str(tmp_path / "forged.json"))
    assert "the signature of saved head #1 (forged.json) does not verify" in " ".join(result.output.split())
    assert result.exit_code == 1

    with cli_env.engine.begin() as connection:
        connection.execute(text("UPDATE audit_tree_heads SET tree_size = 3"))
    result = _cli("audit-verify")
    assert result.exit_code == 1 and "the signature of head #1 does not verify" in " ".join(result.output.split())

    # Someone who can write the database removes the last entries and every stored head.
    size = _count(cli_env)
    with cli_env.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_tree_heads"))
        connection.execute(text("DELETE FROM audit_events WHERE id > :n"), {"n": size - 10})
    assert _cli("audit-verify").exit_code == 0
    result = _cli("audit-verify", "--head", str(saved))
    assert result.exit_code == 1
    assert f"the log has {size - 10} entries but saved head #1 (head.json) signed {size}" in " ".join(
        result.output.split()
    )
