"""The help desk on the web and the API: the inquiry thread in both roles, FAQ and notice visibility,
attachments refused by their content and served as downloads, permissions."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from digitalmarket.helpdesk.tables import Inquiry, NoticeAttachment
from tests.helpers import api_token, csrf_from, page_login
from tests.selection.journey import PDF


def signed_in(app, email: str) -> TestClient:
    client = TestClient(app)
    page_login(client, email)
    return client


def _post(client: TestClient, path: str, form_page: str, data: dict, **kwargs):
    return client.post(
        path, data={"csrf_token": csrf_from(client, form_page), **data}, follow_redirects=False, **kwargs
    )


def _version(page_text: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page_text).group(1)


def test_an_inquiry_asked_answered_followed_up_and_answered_on_the_pages(app, demo):
    buyer, operator = signed_in(app, "buyer@demo.kr"), signed_in(app, "operator@demo.kr")
    refused = _post(buyer, "/help/inquiries/new", "/help/inquiries/new", {"subject": "", "category": "x", "body": ""})
    assert refused.status_code == 422
    assert 'id="field-subject-error"' in refused.text and 'id="field-body-error"' in refused.text
    assert "dm-error-summary" in refused.text
    assert "다음 중 하나를 고르세요: " in refused.text and "payment" in refused.text  # the categories there are

    asked = _post(
        buyer,
        "/help/inquiries/new",
        "/help/inquiries/new",
        {"subject": "검수 기한 문의", "category": "payment", "body": "검수 뒤 며칠 안에 지급해야 하나요?"},
    )
    assert asked.status_code == 303
    assert "문의를 보냈습니다" in buyer.get(asked.headers["location"]).text
    thread = asked.headers["location"].split("?")[0]
    inquiry_id = int(thread.rsplit("/", 1)[1])

    queue = operator.get("/operator/inquiries")
    assert "검수 기한 문의" in queue.text and "답변 대기" in queue.text
    desk = f"/operator/inquiries/{inquiry_id}"
    page = operator.get(desk)
    assert "정수요" in page.text and "미래행정부" in page.text
    answered = _post(operator, f"{desk}/answer", desk, {"version": _version(page.text), "body": "5일 안에 지급합니다."})
    assert answered.status_code == 303

    mine = buyer.get(thread)
    assert "5일 안에 지급합니다." in mine.text and "답변 완료" in mine.text
    note = re.search(r'href="(/notifications/\d+)"', buyer.get("/notifications").text).group(1)
    assert buyer.get(note, follow_redirects=False).headers["location"] == f"/help/inquiries/{inquiry_id}"
    followed = _post(buyer, f"{thread}/follow-up", thread, {"version": _version(mine.text), "body": "토요일도 세나요?"})
    assert followed.status_code == 303
    page = operator.get(desk)
    assert "토요일도 세나요?" in page.text and "답변 대기" in page.text
    stale = _post(operator, f"{desk}/answer", desk, {"version": "1", "body": "오래된 화면"})
    assert stale.status_code == 409
    _post(operator, f"{desk}/answer", desk, {"version": _version(page.text), "body": "토요일은 세지 않습니다."})
    with demo.reading() as session:
        found = session.get(Inquiry, inquiry_id)
        assert found.status == "answered" and len(found.messages) == 4


def test_another_users_inquiry_is_not_found(app, client, demo):
    supplier = signed_in(app, "supplier@demo.kr")
    _post(
        supplier,
        "/help/inquiries/new",
        "/help/inquiries/new",
        {"subject": "세금계산서 발행 시기", "category": "other", "body": "본문"},
    )
    with demo.reading() as session:
        inquiry_id = session.scalars(select(Inquiry.id)).one()
    other = signed_in(app, "supplier2@demo.kr")
    assert other.get(f"/help/inquiries/{inquiry_id}").status_code == 404
    assert "세금계산서 발행 시기" not in other.get("/help/inquiries").text
    follow = _post(other, f"/help/inquiries/{inquiry_id}/follow-up", "/help/inquiries", {"version": "1", "body": "x"})
    assert follow.status_code == 404
    assert client.get(f"/api/v1/inquiries/{inquiry_id}", headers=api_token(demo, "buyer@demo.kr")).status_code == 404
    assert client.get("/api/v1/inquiries", headers=api_token(demo, "buyer@demo.kr")).json()["items"] == []
    own = client.get(f"/api/v1/inquiries/{inquiry_id}", headers=api_token(demo, "supplier@demo.kr")).json()
    assert own["subject"] == "세금계산서 발행 시기" and own["messages"][0]["body"] == "본문"
    assert other.get(f"/operator/inquiries/{inquiry_id}").status_code == 403
    anonymous = client.get("/help/inquiries", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_inquiries_over_the_api_answered_by_an_operator(client, demo):
    user, desk = api_token(demo, "supplier@demo.kr"), api_token(demo, "operator@demo.kr")
    refused = client.post("/api/v1/inquiries", json={"subject": "x", "category": "billing", "body": "y"}, headers=user)
    assert refused.status_code == 422 and "category" in refused.json()["error"]["fields"]
    asked = client.post(
        "/api/v1/inquiries",
        json={"subject": "선정 심사 일정", "category": "selection", "body": "언제인가요?"},
        headers=user,
    ).json()
    queue = client.get("/api/v1/inquiries", headers=desk).json()["items"]
    assert [i["code"] for i in queue] == [asked["code"]]
    answered = client.post(
        f"/api/v1/inquiries/{asked['id']}/messages",
        json={"version": asked["version"], "body": "매월 둘째 주입니다."},
        headers=desk,
    ).json()
    assert answered["state"] == "answered" and answered["messages"][1]["from_operator"] is True
    closed = client.post(f"/api/v1/inquiries/{asked['id']}/close", json={"version": answered["version"]}, headers=user)
    assert closed.json()["state"] == "closed"
    again = client.post(
        f"/api/v1/inquiries/{asked['id']}/close", json={"version": closed.json()["version"]}, headers=user
    )
    assert again.status_code == 409


def test_faq_entries_appear_on_the_help_page_only_once_published_and_can_be_searched(app, client, demo):
    operator = signed_in(app, "operator@demo.kr")
    for category, question, answer in (
        ("account", "비밀번호를 잊었어요", "로그인 화면에서 재설정하세요."),
        ("contract", "납품요구는 무엇인가요?", "카탈로그 계약 단가 이하로 주문하는 방법입니다."),
    ):
        saved = _post(
            operator,
            "/operator/faq/new",
            "/operator/faq/new",
            {"category": category, "question": question, "answer": answer},
        )
        assert saved.status_code == 303
    assert "비밀번호를 잊었어요" not in client.get("/help").text
    listing = operator.get("/operator/faq")
    for entry_id in re.findall(r'action="/operator/faq/(\d+)/publish"', listing.text):
        page = operator.get("/operator/faq")
        version = re.search(
            rf'action="/operator/faq/{entry_id}/publish">\s*<input[^>]*>\s*'
            r'<input type="hidden" name="version" value="(\d+)"',
            page.text,
        )
        assert (
            _post(
                operator, f"/operator/faq/{entry_id}/publish", "/operator/faq", {"version": version.group(1)}
            ).status_code
            == 303
        )

    help_page = client.get("/help")
    assert "비밀번호를 잊었어요" in help_page.text and "납품요구는 무엇인가요?" in help_page.text
    assert "계정·로그인" in help_page.text and "계약·주문" in help_page.text and "<h1" in help_page.text
    found = client.get("/help", params={"q": "카탈로그"})
    assert "납품요구는 무엇인가요?" in found.text and "비밀번호를 잊었어요" not in found.text
    assert [e["question"] for e in client.get("/api/v1/faq?q=비밀번호").json()["items"]] == ["비밀번호를 잊었어요"]

    entry_id = re.search(r'action="/operator/faq/(\d+)/unpublish"', operator.get("/operator/faq").text).group(1)
    version = _faq_version(operator, entry_id)
    assert (
        _post(operator, f"/operator/faq/{entry_id}/unpublish", "/operator/faq", {"version": version}).status_code == 303
    )
    assert len(client.get("/api/v1/faq").json()["items"]) == 1


def _faq_version(client: TestClient, entry_id: str) -> str:
    form = client.get(f"/operator/faq/{entry_id}/edit")
    return _version(form.text)


def test_a_notice_with_an_attachment_is_public_only_while_published(app, client, demo):
    operator = signed_in(app, "operator@demo.kr")
    created = _post(
        operator,
        "/operator/notices/new",
        "/operator/notices/new",
        {"title": "2027년 선정 일정", "body": "매월 심사위원회를 엽니다.", "pinned": "1"},
    )
    edit = created.headers["location"].split("?")[0]
    notice_id = int(edit.rsplit("/", 1)[1])
    token = csrf_from(operator, edit)

    fake = operator.post(
        f"{edit}/attachments",
        data={"csrf_token": token},
        files={"file": ("일정표.pdf", b"MZ\x90\x00 this is not a PDF at all", "application/pdf")},
    )
    assert fake.status_code == 422 and 'id="field-file-error"' in fake.text and "허용" in fake.text
    with demo.reading() as session:
        assert session.scalars(select(NoticeAttachment)).all() == []
    real = operator.post(
        f"{edit}/attachments",
        data={"csrf_token": token},
        files={"file": ("../../일정표.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert real.status_code == 303
    with demo.reading() as session:
        attachment = session.scalars(select(NoticeAttachment)).one()
        assert attachment.filename == "일정표.pdf" and attachment.media_type == "application/pdf"
    download = f"/notices/{notice_id}/attachments/{attachment.id}"

    assert client.get(f"/notices/{notice_id}").status_code == 404  # a draft
    assert client.get(download).status_code == 404
    assert "2027년 선정 일정" not in client.get("/notices").text
    assert operator.get(f"/notices/{notice_id}").status_code == 200  # operators preview it

    page = operator.get(edit)
    assert _post(operator, f"{edit}/publish", edit, {"version": _version(page.text)}).status_code == 303
    public = client.get(f"/notices/{notice_id}")
    assert public.status_code == 200 and "매월 심사위원회를 엽니다." in public.text and "일정표.pdf" in public.text
    assert "2027년 선정 일정" in client.get("/notices").text and "중요" in client.get("/notices").text
    got = client.get(download)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-disposition"].startswith("attachment")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"/api/v1/notices/{notice_id}").json()["attachments"][0]["filename"] == "일정표.pdf"

    page = operator.get(edit)
    assert _post(operator, f"{edit}/unpublish", edit, {"version": _version(page.text)}).status_code == 303
    assert client.get(f"/notices/{notice_id}").status_code == 404
    assert client.get(download).status_code == 404
    assert client.get(f"/api/v1/notices/{notice_id}").status_code == 404


def test_only_operators_manage_the_faq_and_notices(app, client, demo):
    supplier = signed_in(app, "supplier@demo.kr")
    for path in ("/operator/inquiries", "/operator/faq", "/operator/notices", "/operator/notices/new"):
        assert supplier.get(path).status_code == 403, path
    headers = api_token(demo, "buyer@demo.kr")
    assert (
        client.post(
            "/api/v1/faq", json={"category": "other", "question": "q", "answer": "a"}, headers=headers
        ).status_code
        == 403
    )
    assert client.post("/api/v1/notices", json={"title": "t", "body": "b"}, headers=headers).status_code == 403
    upload = client.post(
        "/api/v1/notices/1/attachments", files={"file": ("a.pdf", PDF, "application/pdf")}, headers=headers
    )
    assert upload.status_code == 403
    desk = api_token(demo, "operator@demo.kr")
    notice = client.post("/api/v1/notices", json={"title": "점검", "body": "본문"}, headers=desk).json()
    fake = client.post(
        f"/api/v1/notices/{notice['id']}/attachments",
        files={"file": ("a.pdf", b"%PDX not really", "application/pdf")},
        headers=desk,
    )
    assert fake.status_code == 422 and fake.json()["error"]["code"] == "document_rejected"
