"""Reviews through the workflows: not before 30 days of use, once per order, edited with its version,
answered once by the supplier, never by another agency or supplier; the catalog's rating follows every
change. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from digitalmarket.core.clock import today_kst
from digitalmarket.core.errors import Conflict, NotFound, ValidationFailed
from digitalmarket.core.files import DocumentStore
from digitalmarket.search.facts import facts
from digitalmarket.settlement import reviews
from tests.contracting.buying import people_of, publish, service
from tests.settlement.settling import later, messages_of, order_in_use, refused, review, review_of


@pytest.fixture
def store(tmp_path):
    return DocumentStore(tmp_path / "documents")


@pytest.fixture
def people(demo):
    return people_of(demo)


@pytest.fixture
def code(demo, people):
    return publish(demo, people.supplier, "가상웍스 그룹웨어")


@pytest.fixture
def order_id(demo, people, code, store):
    return order_in_use(demo, people, code, store)


def rating_in_catalog(db, code: str):
    with db.reading() as session:
        return facts(session).entries[service(db, code).id].rating


def test_an_agency_reviews_after_30_days_once_and_edits_it(demo, people, code, order_id):
    with refused(Conflict, (today_kst() + timedelta(days=30)).isoformat()):
        review(demo, people.buyer, order_id, 5, now=later(29))
    assert review_of(demo, order_id) is None
    with refused(ValidationFailed) as caught:
        review(demo, people.buyer, order_id, 6, comment=" ", now=later(30))
    assert set(caught.value.fields) == {"rating", "comment"}

    review(demo, people.buyer, order_id, 4, now=later(30))
    assert rating_in_catalog(demo, code) == 4.0
    assert any("reviewed" in m for m in messages_of(demo, people.supplier.user_id))
    with refused(Conflict, "(version 1); edit it instead, sending that version"):  # the version to send, named
        review(demo, people.buyer, order_id, 5, now=later(31))

    written = review_of(demo, order_id)
    review(demo, people.buyer, order_id, 2, comment="지원이 늦습니다.", version=written.version, now=later(32))
    edited = review_of(demo, order_id)
    assert (edited.rating, edited.comment) == (2, "지원이 늦습니다.")
    assert rating_in_catalog(demo, code) == 2.0
    with refused(Conflict):  # the version read before the edit
        review(demo, people.buyer, order_id, 3, version=written.version, now=later(33))

    with demo.transaction() as session:
        reviews.remove(session, people.buyer, order_id, edited.version)
    assert review_of(demo, order_id) is None
    assert rating_in_catalog(demo, code) is None


def test_the_average_of_several_agencies_shows_in_the_catalog(demo, people, code, order_id, store):
    review(demo, people.buyer, order_id, 5, now=later(30))
    other = order_in_use(demo, type("P", (), {**vars(people), "buyer": people.buyer2}), code, store)
    review(demo, people.buyer2, other, 4, now=later(30))
    assert rating_in_catalog(demo, code) == 4.5
    with demo.reading() as session:
        rating = reviews.rating_of(session, service(demo, code).id)
        assert (rating.average, rating.count) == (4.5, 2)
        assert {r.rating for r in reviews.reviews_of_service(session, service(demo, code).id)} == {4, 5}


def test_the_supplier_answers_once_and_strangers_get_not_found(demo, people, order_id):
    with refused(NotFound):
        review(demo, people.buyer2, order_id, 1, now=later(30))  # another agency's order
    review(demo, people.buyer, order_id, 3, now=later(30))
    version = review_of(demo, order_id).version
    for stranger in (people.supplier2, people.buyer):
        with demo.transaction() as session, refused(NotFound):
            reviews.answer(session, stranger, order_id, version, "감사합니다.")
    with demo.transaction() as session, refused(ValidationFailed):
        reviews.answer(session, people.supplier, order_id, version, "  ")
    with demo.transaction() as session:
        reviews.answer(session, people.supplier, order_id, version, "교육을 추가로 지원하겠습니다.")
    assert review_of(demo, order_id).answer == "교육을 추가로 지원하겠습니다."
    assert any("answered your review" in m for m in messages_of(demo, people.buyer.user_id))
    with demo.transaction() as session, refused(Conflict, "answered"):
        reviews.answer(session, people.supplier, order_id, review_of(demo, order_id).version, "다시 답변")
    with demo.transaction() as session, refused(NotFound):
        reviews.remove(session, people.buyer2, order_id, 1)
