"""Selection steps that cannot be undone are asked first, on a page that says what will happen: closing a
round, accepting an application, publishing a service, removing a document, withdrawing an application.
Opening the page changes nothing; its button takes the step; other roles cannot open it."""

import re

from sqlalchemy import func, select

from digitalmarket.demo.history import at, clock_at
from digitalmarket.selection import access, screening, workflow
from digitalmarket.selection.tables import ApplicationDocument, CommitteeRound
from tests.helpers import page_login
from tests.selection.journey import close, draft, round_of, state, step, to_committee, vote


def form_of(page, action: str) -> dict[str, str]:
    """The hidden fields of the page's form posting to ``action`` (CSRF token, version)."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', page.text, re.S)
    assert form, f"no form posting to {action}"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))


def test_closing_a_round_asks_first_and_names_what_it_decides(client, demo, store, people):
    selected = to_committee(demo, store, people.supplier, people.operator)
    waiting = to_committee(demo, store, people.supplier2, people.operator, name="나래 문서관리")
    round_id = round_of(demo, people, selected)
    for reviewer in (people.reviewer, people.reviewer2, people.reviewer3):
        vote(demo, reviewer, round_id, selected)
    with demo.reading() as session:
        meeting = session.get(CommitteeRound, round_id).meeting_date
    with clock_at(at(meeting, 15)):
        page_login(client, "reviewer@demo.kr")
        assert client.get(f"/operator/rounds/{round_id}/close").status_code == 403
        page_login(client, "operator@demo.kr")
        round_page = client.get(f"/operator/rounds/{round_id}")
        assert f'href="/operator/rounds/{round_id}/close"' in round_page.text
        asked = client.get(f"/operator/rounds/{round_id}/close")
        assert asked.status_code == 200
        assert "심사위원회 제1회를 마감할까요?" in asked.text
        assert "이 회차에서 결정되는 신청: 2건" in asked.text
        assert "선정: 가상 그룹웨어" in asked.text
        assert "다음 달로 넘어감(정족수 미달 또는 심사위원회 미회부): 나래 문서관리" in asked.text
        assert "되돌릴 수 없습니다" in asked.text and "마감하기" in asked.text
        with demo.reading() as session:
            assert session.get(CommitteeRound, round_id).closed_at is None  # asking changed nothing
        assert state(demo, selected) == state(demo, waiting) == "committee"
        closed = client.post(
            f"/operator/rounds/{round_id}/close", data=form_of(asked, f"/operator/rounds/{round_id}/close")
        )
        assert closed.status_code == 200 and "notice=round_closed" in str(closed.url)
        assert state(demo, selected) == "selected" and state(demo, waiting) == "committee"
        again = client.get(f"/operator/rounds/{round_id}/close", follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"] == f"/operator/rounds/{round_id}"


def test_accepting_and_publishing_ask_first(client, demo, store, people):
    application_id = draft(demo, store, people.supplier)
    step(demo, workflow.submit, people.supplier, application_id)
    step(demo, screening.start_check, people.operator, application_id)
    page_login(client, "supplier@demo.kr")
    assert client.get(f"/operator/applications/{application_id}/accept").status_code == 403
    page_login(client, "operator@demo.kr")
    detail = client.get(f"/operator/applications/{application_id}")
    assert f'href="/operator/applications/{application_id}/accept"' in detail.text
    asked = client.get(f"/operator/applications/{application_id}/accept")
    assert asked.status_code == 200 and "이 신청을 접수완료할까요?" in asked.text
    assert "(주)가상소프트에 접수완료를 알립니다." in asked.text
    assert "더 이상 보완을 요청할 수 없고" in asked.text
    month = re.search(r"신청은 (\d{4}-\d{2}) 심사위원회", asked.text).group(1)
    assert state(demo, application_id) == "document_check"
    action = f"/operator/applications/{application_id}/accept"
    assert client.post(action, data=form_of(asked, action)).status_code == 200
    assert state(demo, application_id) == "accepted"
    with demo.reading() as session:
        assert access.load(session, application_id).committee_month == month

    other = to_committee(demo, store, people.supplier, people.operator, name="가상 전자결재")
    round_id = round_of(demo, people, other)
    for reviewer in (people.reviewer, people.reviewer2, people.reviewer3):
        vote(demo, reviewer, round_id, other)
    close(demo, people.operator, round_id)
    action = f"/operator/applications/{other}/publish"
    asked = client.get(action)
    assert asked.status_code == 200 and "이 서비스를 목록에 등록·공개할까요?" in asked.text
    assert "요금제 1개가 공개됩니다" in asked.text and "공개를 취소할 수 없습니다" in asked.text
    assert state(demo, other) == "selected"
    assert client.post(action, data=form_of(asked, action)).status_code == 200
    assert state(demo, other) == "published"
    assert client.get(action, follow_redirects=False).status_code == 303


def test_removing_a_document_asks_first(client, demo, store, people):
    application_id = draft(demo, store, people.supplier)
    with demo.reading() as session:
        document = access.load(session, application_id).documents[0]
        count = session.scalar(select(func.count()).select_from(ApplicationDocument))
    path = f"/supplier/applications/{application_id}/documents/{document.id}/remove"
    page_login(client, "supplier2@demo.kr")
    assert client.get(path).status_code == 404
    page_login(client, "operator@demo.kr")
    assert client.get(path).status_code == 403
    page_login(client, "supplier@demo.kr")
    documents = client.get(f"/supplier/applications/{application_id}/steps/4")
    assert f'href="{path}"' in documents.text
    asked = client.get(path)
    assert asked.status_code == 200 and "이 서류를 삭제할까요?" in asked.text
    assert "서류.pdf 파일을 신청에서 삭제합니다." in asked.text
    assert "다시 첨부할 때까지 신청을 제출할 수 없습니다" in asked.text  # a required document
    assert "삭제한 파일은 되살릴 수 없습니다" in asked.text
    with demo.reading() as session:
        assert session.scalar(select(func.count()).select_from(ApplicationDocument)) == count
    removed = client.post(path, data=form_of(asked, path))
    assert removed.status_code == 200
    with demo.reading() as session:
        assert session.scalar(select(func.count()).select_from(ApplicationDocument)) == count - 1


def test_withdrawing_asks_first_and_keeps_the_reason(client, demo, store, people):
    application_id = draft(demo, store, people.supplier)
    path = f"/supplier/applications/{application_id}/withdraw"
    page_login(client, "buyer@demo.kr")
    assert client.get(path).status_code == 403
    client.cookies.set("dm_lang", "en")
    page_login(client, "supplier@demo.kr")
    asked = client.get(path)
    assert asked.status_code == 200 and "Withdraw this application?" in asked.text
    assert "This cannot be undone" in asked.text and "cannot be submitted again" in asked.text
    assert state(demo, application_id) == "draft"
    done = client.post(path, data={**form_of(asked, path), "reason": "사업 계획 변경"})
    assert done.status_code == 200 and state(demo, application_id) == "withdrawn"
    assert client.get(path, follow_redirects=False).status_code == 303
