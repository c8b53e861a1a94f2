import pytest

from digitalmarket.core.files import DocumentStore
from tests.selection.journey import actor


@pytest.fixture
def store(tmp_path):
    return DocumentStore(tmp_path / "documents")


@pytest.fixture
def people(demo):
    """The demo accounts of every role, as actors."""
    emails = {
        "supplier": "supplier@demo.kr",
        "supplier2": "supplier2@demo.kr",
        "operator": "operator@demo.kr",
        "reviewer": "reviewer@demo.kr",
        "reviewer2": "reviewer2@demo.kr",
        "reviewer3": "reviewer3@demo.kr",
        "buyer": "buyer@demo.kr",
        "officer": "officer@demo.kr",
        "admin": "admin@demo.kr",
    }
    return type("People", (), {name: actor(demo, email) for name, email in emails.items()})
