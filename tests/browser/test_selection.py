"""A supplier applies with PDFs, the operator asks for a supplement and accepts, three reviewers vote, the
operator closes the round and publishes, and the public service page shows it: in Chromium, pages only."""

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.selection_journey import run

pytestmark = pytest.mark.browser


def test_from_application_to_public_service_page(browser, server_url):
    code = run(browser, server_url, ARTIFACTS / "selection")
    assert code.startswith("SAS-")
