"""E-mail from the notification outbox: a real SMTP server receives what the worker sends, in Korean;
a server that is down costs nothing but time; two workers never send the same message twice; people
receive only the kinds they chose."""

from __future__ import annotations

import dataclasses
import logging
import threading
from datetime import timedelta

from sqlalchemy import select

from digitalmarket.core.database import Database
from digitalmarket.core.i18n import N_
from digitalmarket.core.notifications import MailStatus, Notification, notify
from digitalmarket.core.tables import utcnow
from digitalmarket.notifications import preferences
from digitalmarket.notifications.outbox import drain, send_pending
from digitalmarket.notifications.rules import retry_delay
from tests.contracting.buying import ask, people_of, publish
from tests.notifications.conftest import BASE_URL, Inbox, SmtpServer, free_port


def rows(db, user_id=None) -> list[Notification]:
    with db.reading() as session:
        query = select(Notification).order_by(Notification.id)
        if user_id is not None:
            query = query.where(Notification.user_id == user_id)
        return list(session.scalars(query))


def a_quote_request(db) -> tuple:
    """The demo buyer asks the first demo supplier for a quote: the supplier's staff are notified."""
    people = people_of(db)
    code = publish(db, people.supplier, "가상 그룹웨어")
    ask(db, people.buyer, [code])
    return people, code


def test_the_supplier_receives_the_quote_request_by_email_in_korean(demo, smtp, mail_settings):
    people, _ = a_quote_request(demo)
    waiting = rows(demo, people.supplier.user_id)
    assert [n.mail_status for n in waiting] == [MailStatus.PENDING]
    assert waiting[0].kind == "quote"

    batch = drain(demo, mail_settings)

    assert waiting[0].id in batch.sent
    [mail] = smtp.inbox.to("supplier@demo.kr")
    assert mail["Subject"].startswith("[디지털서비스 마켓] ")
    assert "견적" in mail["Subject"] and "미래행정부" in mail["Subject"]
    assert "김가상" in str(mail["To"])
    body = mail.get_content()
    assert "김가상님" in body
    assert f"{BASE_URL}/supplier/quotes/" in body  # the link as an absolute address
    assert f"{BASE_URL}/account/notifications" in body  # where to choose what one receives
    assert mail["Message-ID"] == f"<notification-{waiting[0].id}@digitalmarket.kr>"
    [sent] = rows(demo, people.supplier.user_id)
    assert sent.mail_status == MailStatus.SENT and sent.emailed_at is not None and sent.attempts == 1
    assert drain(demo, mail_settings).sent == []  # nothing is sent twice


def test_a_mail_server_that_is_down_loses_nothing_and_is_tried_again_with_backoff(demo, settings):
    port = free_port()
    server = SmtpServer(port, Inbox())
    down = dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{port}")
    people, _ = a_quote_request(demo)
    start = utcnow()

    first = drain(demo, down, now=start)

    [note] = rows(demo, people.supplier.user_id)
    assert note.id in first.failed
    assert note.mail_status == MailStatus.PENDING and note.attempts == 1
    assert "Connection" in note.last_error or "refused" in note.last_error.lower()
    assert note.next_attempt_at == start + timedelta(minutes=1)
    assert drain(demo, down, now=start + timedelta(seconds=30)).claimed == 0  # not due yet

    second = drain(demo, down, now=start + timedelta(minutes=1))  # still down: the wait doubles
    assert note.id in second.failed
    [note] = rows(demo, people.supplier.user_id)
    assert note.attempts == 2 and note.next_attempt_at == start + timedelta(minutes=1) + timedelta(minutes=2)

    server.start()
    try:
        third = drain(demo, down, now=start + timedelta(minutes=3))
    finally:
        server.stop()
    assert note.id in third.sent
    assert len(server.inbox.to("supplier@demo.kr")) == 1
    [note] = rows(demo, people.supplier.user_id)
    assert note.mail_status == MailStatus.SENT and note.attempts == 3 and note.last_error is None


def test_retries_wait_twice_as_long_each_time_up_to_six_hours():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_delay(30) == timedelta(hours=6)


def test_two_workers_at_once_send_each_message_exactly_once(demo, settings):
    inbox = Inbox(delay=0.005)
    server = SmtpServer(free_port(), inbox)
    server.start()
    mail = dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{server.port}")
    people = people_of(demo)
    with demo.transaction() as session:
        for number in range(40):
            notify(session, [people.buyer.user_id], N_("Order %(code)s is contracted.", code=f"ORD-2026-{number:05d}"))
    expected = {n.id for n in rows(demo)}
    workers = [Database(demo.url), Database(demo.url)]
    sent: list[list[int]] = [[], []]
    ready = threading.Barrier(2)

    def work(index: int) -> None:
        ready.wait()
        while True:
            batch = send_pending(workers[index], mail, limit=3)
            sent[index] += batch.sent
            if batch.claimed == 0:
                return

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        server.stop()
        for worker in workers:
            worker.dispose()
    received = [m["Message-ID"] for m in inbox.messages]
    assert len(received) == len(set(received)) == 40
    assert sorted(sent[0] + sent[1]) == sorted(expected)
    assert not set(sent[0]) & set(sent[1])
    assert all(n.mail_status == MailStatus.SENT for n in rows(demo))


def test_people_receive_only_the_kinds_they_chose_in_their_language(demo, smtp, mail_settings):
    people = people_of(demo)
    with demo.transaction() as session:
        choices = preferences.choices_of(session, people.supplier.user_id)
        kinds = [k for k in choices.email_kinds if k != "quote"]
        preferences.save_choices(session, people.supplier, kinds, "en", choices.version)
    a_quote_request(demo)  # a quote request: the supplier does not want those by e-mail
    with demo.transaction() as session:
        notify(
            session, [people.supplier.user_id], N_("Order %(code)s is contracted.", code="ORD-2026-00077"), "/orders/7"
        )

    batch = drain(demo, mail_settings)

    quote_note, order_note = rows(demo, people.supplier.user_id)
    assert quote_note.id in batch.skipped and quote_note.mail_status == MailStatus.SKIPPED
    assert order_note.id in batch.sent
    [mail] = smtp.inbox.to("supplier@demo.kr")
    assert mail["Subject"] == "[디지털서비스 마켓] Order ORD-2026-00077 is contracted."
    assert "Hello 김가상," in mail.get_content()
    # Still in the inbox of the app, whatever the e-mail choice.
    assert {n.kind for n in rows(demo, people.supplier.user_id)} == {"quote", "order"}


def test_a_closed_account_gets_no_email(demo, smtp, mail_settings):
    from digitalmarket.accounts.tables import User

    people = people_of(demo)
    with demo.transaction() as session:
        notify(session, [people.buyer2.user_id], N_("Order %(code)s is contracted.", code="ORD-2026-00078"))
        session.get(User, people.buyer2.user_id).is_active = False
    assert drain(demo, mail_settings).skipped and smtp.inbox.messages == []


def test_without_a_mail_server_the_email_is_written_to_the_log(demo, settings, caplog):
    people, _ = a_quote_request(demo)
    with caplog.at_level(logging.INFO, logger="digitalmarket.mail"):
        batch = drain(demo, settings)
    assert batch.sent
    assert "supplier@demo.kr" in caplog.text and "[디지털서비스 마켓]" in caplog.text
    assert all(n.mail_status == MailStatus.SENT for n in rows(demo, people.supplier.user_id))
