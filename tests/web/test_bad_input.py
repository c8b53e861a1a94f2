"""No input produces a 5xx: random JSON bodies, form posts and paths all get a 4xx with a message."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import csrf_from

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8,
)
signup_fields = ["business_number", "company_name", "representative", "size", "name", "email", "password"]
bodies = st.dictionaries(st.sampled_from([*signup_fields, "extra"]), json_values, max_size=9) | json_values
checks = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[*settings.default.suppress_health_check, HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def backend():
    return "sqlite"


@checks
@given(body=bodies)
def test_random_json_to_sign_up_is_a_4xx(client, body):
    response = client.post("/api/v1/signup", json=body)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert response.json()["error"]["message"]


@checks
@given(form=st.dictionaries(st.sampled_from(["email", "password", "next", "name", "size"]), st.text(max_size=40)))
def test_random_forms_to_log_in_and_sign_up_are_never_a_5xx(client, form):
    token = csrf_from(client, "/login")
    assert client.post("/login", data={**form, "csrf_token": token}, follow_redirects=False).status_code < 500
    assert client.post("/signup", data={**form, "csrf_token": token}, follow_redirects=False).status_code < 500


@checks
@given(path=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=20))
def test_random_paths_are_never_a_5xx(client, path):
    from urllib.parse import quote

    for prefix in ("/", "/api/v1/", "/organisations/", "/lang/"):
        assert client.get(prefix + quote(path, safe="")).status_code < 500


def test_session_cookie_flags(client, demo):
    from tests.helpers import page_login

    response = page_login(client, "buyer@demo.kr")
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("dm_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie


def test_secure_cookies_when_configured(db, settings_secure):
    from fastapi.testclient import TestClient

    from digitalmarket.demo import seed_demo
    from digitalmarket.web.app import create_app
    from tests.helpers import page_login

    with db.transaction() as session:
        seed_demo(session)
    with TestClient(create_app(settings_secure, db), base_url="https://testserver") as client:
        response = page_login(client, "buyer@demo.kr")
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("dm_session="))
    assert "Secure" in cookie
    assert "Strict-Transport-Security" in response.headers


@pytest.fixture
def settings_secure(settings):
    from dataclasses import replace

    return replace(settings, cookie_secure=True)


def test_a_value_out_of_range_is_told_the_range_in_the_callers_language(client):
    """An integrator who sends a value outside the allowed range learns the range from the answer."""
    too_many = client.get("/api/v1/services", params={"limit": 1000})
    assert too_many.status_code == 422
    assert too_many.json()["error"]["fields"]["limit"] == "100 이하의 수를 입력하세요."
    none = client.get("/api/v1/services", params={"limit": 0}, headers={"Accept-Language": "en"})
    assert none.json()["error"]["fields"]["limit"] == "Enter a number of at least 1."
    sort = client.get("/api/v1/services", params={"sort": "cheapest"}).json()["error"]["fields"]["sort"]
    assert sort.startswith("다음 중 하나를 보내세요: ") and "'relevance'" in sort and " or " not in sort


def test_an_empty_list_that_needs_items_says_how_many_in_the_callers_language():
    """An answer without lines (`PUT /quotes/{id}` with ``"lines": []``) is told what is missing."""
    from pydantic import BaseModel, Field, ValidationError

    from digitalmarket.web.errors import field_message

    class Answer(BaseModel):
        lines: list[int] = Field(min_length=1)

    with pytest.raises(ValidationError) as raised:
        Answer(lines=[])
    message = field_message(raised.value.errors()[0])
    assert (message.render("ko"), message.render("en")) == ("항목을 1개 이상 보내세요.", "Send 1 or more items.")


def test_a_date_the_calendar_has_not_is_told_so_not_asked_for_the_format():
    """2026-02-30 is written as asked: its caller needs to hear that no such day exists."""
    from datetime import date

    from pydantic import BaseModel, ValidationError

    from digitalmarket.web.errors import field_message

    class Asked(BaseModel):
        start: date

    for written, said in (
        ("2026-02-30", "2026-02-30은 달력에 없는 날짜입니다."),
        ("2026-13-01", "2026-13-01은 달력에 없는 날짜입니다."),
        ("30/02/2026", "2026-12-31 형식으로 날짜를 입력해 주세요."),
    ):
        with pytest.raises(ValidationError) as raised:
            Asked(start=written)
        assert field_message(raised.value.errors()[0]).render("ko") == said


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_number_too_large_for_the_database_is_a_4xx_on_every_page(app, demo, backend):
    """An id past what an id column holds (2**31 on PostgreSQL) or past any integer (2**63): a path id, a
    form's category and an organisation are refused with a 4xx and nothing is written, never a 500."""
    from fastapi.testclient import TestClient

    from tests.helpers import page_login

    buyer, admin = TestClient(app), TestClient(app)
    page_login(buyer, "buyer@demo.kr")
    page_login(admin, "admin@demo.kr")
    for huge in (str(2**31), str(2**40), str(2**63)):
        assert buyer.get(f"/notifications/{huge}").status_code == 422
        form = {"csrf_token": csrf_from(buyer, "/agency/demand-notices/new"), "title": "t", "description": "d",
                "category_id": huge, "budget_min": "1", "budget_max": "2", "expected_month": "2027-03"}  # fmt: skip
        refused = buyer.post("/agency/demand-notices/new", data=form, follow_redirects=False)
        assert refused.status_code == 422 and "field-category_id" in refused.text
        form = {"csrf_token": csrf_from(admin, "/admin"), "email": "new-buyer@example.com", "name": "새 담당자",
                "role": "agency_buyer", "password": "a-long-pass-2026", "organisation_id": huge}  # fmt: skip
        assert admin.post("/admin/users", data=form, follow_redirects=False).status_code == 422
