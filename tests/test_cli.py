"""The command line on a real database: create-user, create-token, seed-demo."""

import pytest
from typer.testing import CliRunner

from digitalmarket import cli
from digitalmarket.core.settings import load_settings


@pytest.fixture
def runner(demo, monkeypatch, tmp_path):
    monkeypatch.setenv("DM_DATABASE_URL", demo.url)
    monkeypatch.setenv("DM_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("digitalmarket.cli.environment.get_settings", load_settings)
    return CliRunner()


def test_create_user_in_an_agency_by_code(runner, client):
    result = runner.invoke(
        cli.app,
        [
            "create-user",
            "--email",
            "cli.buyer@mirae.go.kr",
            "--name",
            "명령줄",
            "--role",
            "agency_buyer",
            "--organisation",
            "1741000",
            "--password",
            "cli-password-1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "미래행정부" in result.output


def test_create_user_refuses_bad_input_with_a_message(runner):
    result = runner.invoke(
        cli.app,
        [
            "create-user",
            "--email",
            "not-an-email",
            "--name",
            "x",
            "--role",
            "agency_buyer",
            "--organisation",
            "1741000",
            "--password",
            "short",
        ],
    )
    assert result.exit_code == 2
    assert "email" in result.output and "password" in result.output


def test_create_token_prints_a_working_token(runner, client):
    result = runner.invoke(cli.app, ["create-token", "--email", "officer@demo.kr", "--name", "batch"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "contracting_officer"


def test_seed_demo_only_on_an_empty_database(runner):
    assert runner.invoke(cli.app, ["seed-demo", "--if-empty"]).exit_code == 0
    assert runner.invoke(cli.app, ["seed-demo"]).exit_code == 1


def test_search_ranks_as_the_platform_and_lists_a_query_of_conditions_alone(runner, demo):
    import json

    from tests.contracting.buying import people_of, publish

    code = publish(demo, people_of(demo).supplier, "가상웍스 전자결재")
    result = runner.invoke(cli.app, ["search", "--json", "SaaS"])  # a condition, no words to rank by
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [(row["code"], row["score"]) for row in rows] == [(code, None)]
    table = runner.invoke(cli.app, ["search", "SaaS 전자결재"])
    assert table.exit_code == 0, table.output
    assert code in table.output and "가상웍스 전자결재" in table.output
