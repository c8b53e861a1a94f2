"""After a supplement request (보완 요청) the supplier replies and resubmits; the operator reads the reply and
what changed since the request: each field before and after, and the documents added, replaced, removed."""

import html

from sqlalchemy import select

from digitalmarket.core.audit import AuditEvent, verify_chain
from digitalmarket.selection import access, screening, workflow
from tests.helpers import api_token, csrf_from, page_login
from tests.selection.journey import PDF, draft, state, step, version


def _section(page: str, anchor: str) -> str:
    return html.unescape(page.split(anchor, 1)[1].split("</section>", 1)[0])


def _request_supplement(client, application_id: int, items: dict[str, str]):
    path = f"/operator/applications/{application_id}"
    form = {"csrf_token": csrf_from(client, path), "version": str(_version_on_page(client, path))}
    form |= {f"item-{key}": reason for key, reason in items.items()}
    return client.post(f"{path}/supplement", data=form, follow_redirects=False)


def _version_on_page(client, path: str) -> int:
    page = client.get(path).text
    return int(page.split('name="version" value="', 1)[1].split('"', 1)[0])


def _sla_id(db, application_id: int) -> int:
    with db.reading() as session:
        return next(d.id for d in access.load(session, application_id).documents if d.kind == "sla")


def test_the_operator_sees_the_reply_and_each_change_since_the_request(client, demo, store, people):
    application_id = draft(demo, store, people.supplier)
    step(demo, workflow.submit, people.supplier, application_id)
    step(demo, screening.start_check, people.operator, application_id)
    page_login(client, "operator@demo.kr")
    asked = _request_supplement(
        client, application_id, {"sla": "장애 대응 시간이 없습니다.", "basic": "요약이 짧습니다."}
    )
    assert asked.status_code == 303

    # The supplier corrects the summary and replaces the SLA, then replies and resubmits from the last step.
    step(demo, workflow.update_content, people.supplier, application_id, {"summary": "장애 대응 1시간 보장 그룹웨어"})
    with demo.transaction() as session:
        workflow.remove_document(session, people.supplier, application_id, _sla_id(demo, application_id))
        stored = store.accept(PDF + b"v2", "SLA 개정판.pdf")
        workflow.attach_document(session, people.supplier, application_id, "sla", stored)
    page_login(client, "supplier@demo.kr")
    detail = client.get(f"/supplier/applications/{application_id}").text
    assert "장애 대응 시간이 없습니다." in detail and 'name="reply"' in detail
    last_step = f"/supplier/applications/{application_id}/steps/5"
    form = {"csrf_token": csrf_from(client, last_step), "version": str(version(demo, application_id))}
    reply = "SLA에 장애 대응 시간을 넣고 요약을 고쳤습니다."
    resubmitted = client.post(
        f"/supplier/applications/{application_id}/submit", data=form | {"reply": reply}, follow_redirects=False
    )
    assert resubmitted.status_code == 303 and state(demo, application_id) == "submitted"

    page_login(client, "operator@demo.kr")
    changes = _section(client.get(f"/operator/applications/{application_id}").text, 'id="supplements-heading"')
    assert reply in changes and "보완 요청 이후 바뀐 내용" in changes
    summary = changes.split('scope="row">요약', 1)[1].split("</tr>", 1)[0]
    assert "메일·일정·게시판을 갖춘 공공기관용 협업 도구" in summary and "장애 대응 1시간 보장 그룹웨어" in summary
    sla = changes.split('scope="row">서비스 수준 협약', 1)[1].split("</tr>", 1)[0]
    assert "교체" in sla and "서류.pdf" in sla and "SLA 개정판.pdf" in sla
    assert "사업자등록증" not in changes  # unchanged documents are not listed
    with demo.reading() as session:
        replied = session.scalars(select(AuditEvent).where(AuditEvent.action == "application.supplement_replied")).one()
        assert replied.details["reply"] == reply and replied.object_id == str(application_id)
        assert verify_chain(session).ok


def test_a_second_supplement_request_compares_with_its_own_request(client, demo, store, people):
    application_id = draft(demo, store, people.supplier)
    step(demo, workflow.submit, people.supplier, application_id)
    step(demo, screening.start_check, people.operator, application_id)
    step(demo, screening.request_supplement, people.operator, application_id, {"basic": "요약을 고쳐 주십시오."})
    step(demo, workflow.update_content, people.supplier, application_id, {"summary": "첫 번째 보완의 요약"})
    step(demo, workflow.submit, people.supplier, application_id, "요약을 고쳤습니다.")
    step(demo, screening.start_check, people.operator, application_id)
    step(demo, screening.request_supplement, people.operator, application_id, {"basic": "서비스명을 고쳐 주십시오."})

    # The reply is saved on the application's page before anything else changes.
    page_login(client, "supplier@demo.kr")
    path = f"/supplier/applications/{application_id}"
    form = {"csrf_token": csrf_from(client, path), "version": str(version(demo, application_id))}
    saved = client.post(f"{path}/reply", data=form | {"reply": "서비스명을 바꾸겠습니다."}, follow_redirects=False)
    assert saved.status_code == 303
    assert "서비스명을 바꾸겠습니다.</textarea>" in client.get(path).text
    too_long = client.post(f"{path}/reply", data=form | {"reply": "가" * 4001}, follow_redirects=False)
    assert too_long.status_code == 422 and "4000" in too_long.text

    page_login(client, "operator@demo.kr")
    rounds = _section(client.get(f"/operator/applications/{application_id}").text, 'id="supplements-heading"')
    latest, first = rounds.split('id="supplement-2"', 1)[1].split('id="supplement-1"', 1)
    assert "바뀐 내용이 없습니다." in latest and "첫 번째 보완의 요약" not in latest
    assert "서비스명을 바꾸겠습니다." in latest
    assert "이 요청에 따라 바뀐 내용" in first and "첫 번째 보완의 요약" in first and "요약을 고쳤습니다." in first

    # Resubmitted through the API with a new reply: the latest request shows the renamed service only.
    headers = api_token(demo, "supplier@demo.kr")
    step(demo, workflow.update_content, people.supplier, application_id, {"name": "가상 그룹웨어 플러스"})
    body = {"version": version(demo, application_id), "reply": "서비스명을 바꿨습니다."}
    answer = client.post(f"/api/v1/applications/{application_id}/submit", json=body, headers=headers)
    assert answer.status_code == 200 and answer.json()["state"] == "submitted"
    rounds = _section(client.get(f"/operator/applications/{application_id}").text, 'id="supplements-heading"')
    latest = rounds.split('id="supplement-2"', 1)[1].split('id="supplement-1"', 1)[0]
    assert (
        "가상 그룹웨어 플러스" in latest and "서비스명을 바꿨습니다." in latest and "첫 번째 보완의 요약" not in latest
    )


def test_a_reply_is_refused_unless_a_supplement_is_requested(client, demo, store, people):
    application_id = draft(demo, store, people.supplier)
    headers = api_token(demo, "supplier@demo.kr")
    step(demo, workflow.submit, people.supplier, application_id)
    page_login(client, "supplier@demo.kr")
    path = f"/supplier/applications/{application_id}"
    form = {"csrf_token": csrf_from(client, path), "version": str(version(demo, application_id)), "reply": "답변"}
    refused = client.post(f"{path}/reply", data=form, follow_redirects=False)
    assert refused.status_code == 409 and 'name="reply"' not in refused.text
    other = client.post(
        f"/api/v1/applications/{application_id}/submit", json={"version": 1, "reply": "x" * 20_000}, headers=headers
    )
    assert other.status_code == 422
