"""The whole journey in Chromium through the pages only, once in Korean and once in English: a company
signs up and applies; the operator asks for a supplement, the supplier resubmits, the operator accepts;
two reviewers vote; the operator closes the round and publishes; the supplier applies for a catalog
contract and the officer contracts; an agency searches in Korean, filters, compares three services and
asks them for quotes; two suppliers answer; the agency awards and both confirm; once the month has
ended (a second server on the same data, its calendar on the first day of the next month) usage is
reported, inspected, claimed (대금청구) and paid; a month later (a third server, its calendar 31 days
ahead) the agency reviews the service. Every key page on the way passes axe-core (no serious or critical
violation); in Korean each is also saved at 1280 and 375 pixels (tests/artifacts/journey-ko/), where it
must not scroll sideways."""

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.pages_journey import FullJourney, sign_up_to_payment
from tests.browser.test_settlement import Server

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_whole_journey(browser, server_url, browser_data_dir, lang):
    shots = ARTIFACTS / "journey-ko" if lang == "ko" else None
    order_path, code, checked = sign_up_to_payment(browser, server_url, lang, shots, browser_data_dir)
    assert len(checked) >= 30, checked

    later = Server(browser_data_dir, days=31)
    try:
        journey = FullJourney(browser, later.url, shots, lang=lang)
        journey.agency_reviews(order_path, code)
        assert not journey.errors, journey.errors
    finally:
        later.stop()
