"""The committee month in Chromium, pages only: the operator convenes an extra round (수시 심사위원회) for
today, the move form says its preparation is short, the supplier's page names the same month and round as
the operator's, and closing the round carries the undecided application to an open month both agree on."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.selection_journey import Journey, navigate, tick, today_in_korea

pytestmark = pytest.mark.browser


def _facts(page) -> tuple[str, str]:
    return page.locator("#committee-month").inner_text().strip(), page.locator("#committee-round").inner_text().strip()


def test_the_supplier_and_the_operator_agree_on_the_committee_round(browser, server_url):
    journey = Journey(browser, server_url, ARTIFACTS / "committee-months")
    name = f"가상 회의 클라우드 {int(time.time()) % 100000}"
    application_id = journey.supplier_applies(name)
    month = journey.operator_accepts_and_reviews(application_id)
    today = today_in_korea()
    assert month > today.strftime("%Y-%m")  # never the current month on its own

    operator = journey.as_user("operator@demo.kr")
    operator.goto("/operator/rounds")
    tick(operator, "input[name=kind][value=extra]")
    operator.fill("#field-meeting_date", today.isoformat())
    for box in operator.locator("input[name=member_ids]").all():
        tick(operator, f"#{box.get_attribute('id')}")
    journey.post(operator, "/operator/rounds")
    journey.expect_no_errors(operator)
    links = operator.locator("table a[href^='/operator/rounds/']").all()
    round_id = max(int(a.get_attribute("href").rsplit("/", 1)[1]) for a in links)

    # The move form lists the extra round and says that its preparation is short (it meets today).
    operator.goto(f"/operator/applications/{application_id}")
    radio_id = operator.locator(f"input[name=target][value='{round_id}']").get_attribute("id")
    option = operator.locator(f"label[for='{radio_id}']")
    expect(option).to_contain_text("준비 기간 부족")
    journey.shot(operator, "30-operator-move-form", fresh=False)
    tick(operator, f"input[name=target][value='{round_id}']")
    operator.fill("#field-reason", "연내 심사를 위해 수시 심사위원회에 상정합니다.")
    journey.post(operator, "/move")
    journey.expect_no_errors(operator)
    moved_month, moved_round = _facts(operator)
    assert moved_month == today.strftime("%Y-%m") and "수시" in moved_round

    supplier = journey.as_user(journey.supplier)
    supplier.goto(f"/supplier/applications/{application_id}")
    assert _facts(supplier) == (moved_month, moved_round)
    journey.shot(supplier, "31-supplier-extra-round")

    # Closed on its meeting day without votes: the application goes on to an open month, the same on both sides.
    operator.goto(f"/operator/rounds/{round_id}")
    journey.confirm(operator, f"/operator/rounds/{round_id}/close")
    journey.expect_no_errors(operator)
    operator.goto(f"/operator/applications/{application_id}")
    carried_month = operator.locator("#committee-month").inner_text().strip()
    assert re.fullmatch(r"\d{4}-\d{2}", carried_month) and carried_month > moved_month
    expect(operator.locator("#stuck")).to_have_count(0)
    supplier.reload()
    assert supplier.locator("#committee-month").inner_text().strip() == carried_month
    expect(supplier.locator("#stuck")).to_have_count(0)
    journey.shot(supplier, "32-supplier-carried-over")

    # The queue flags nothing of it, and a round still to meet cannot be closed yet.
    operator.goto("/operator/applications")
    expect(operator.locator("#stuck-summary")).to_have_count(0)
    operator.goto("/operator/rounds")
    navigate(operator, operator.locator("table a[href^='/operator/rounds/']").first)
    if operator.locator("#closable-from").count():
        expect(operator.locator("a[href$='/close'], form[action$='/close']")).to_have_count(0)
    operator.context.close()
    supplier.context.close()
    assert not journey.errors, journey.errors
