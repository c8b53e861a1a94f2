"""E-mails of notifications: composed in the reader's language, sent over SMTP with the standard library,
or written to the log when no mail server is set (``DM_SMTP_URL``)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from types import TracebackType
from typing import Protocol

from ..core.i18n import N_, Text
from ..core.settings import Settings
from .rules import SmtpTarget, absolute_url, parse_smtp_url, subject_line

log = logging.getLogger("digitalmarket.mail")

PRODUCT_NAME = "디지털서비스 마켓"
SMTP_TIMEOUT_SECONDS = 30
PREFERENCES_PATH = "/account/notifications"


def compose(
    *,
    notification_id: int,
    message: Text,
    link: str | None,
    to_email: str,
    to_name: str,
    language: str,
    settings: Settings,
) -> EmailMessage:
    """One notification as an e-mail: subject = the message, body = a greeting, the message, the link as
    an absolute address and where to change what one receives. Plain text, UTF-8."""
    text = message.render(language)
    url = absolute_url(settings.base_url, link)
    lines = [N_("Hello %(name)s,", name=to_name).render(language), "", text, ""]
    if url:
        lines += [N_("Open: %(url)s", url=url).render(language), ""]
    lines += [
        "-- ",
        N_(
            "This e-mail was sent by %(product)s. Choose which notifications you receive by e-mail at %(url)s",
            product=PRODUCT_NAME,
            url=absolute_url(settings.base_url, PREFERENCES_PATH),
        ).render(language),
    ]
    mail = EmailMessage()
    mail["Subject"] = f"[{PRODUCT_NAME}] {subject_line(text)}"
    mail["From"] = settings.mail_from
    mail["To"] = Address(display_name=to_name, addr_spec=to_email)
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    # The same notification always has the same Message-ID, so a mail resent after a crash is recognisable.
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "digitalmarket.kr"
    mail["Message-ID"] = f"<notification-{notification_id}@{domain}>"
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content("\n".join(lines))
    return mail


class Sender(Protocol):
    """An open connection to where mail goes; used as a context manager around one batch."""

    def __enter__(self) -> Sender: ...

    def __exit__(self, kind: type | None, error: BaseException | None, trace: TracebackType | None) -> None: ...

    def send(self, mail: EmailMessage) -> None: ...


class LogSender:
    """No mail server: each e-mail is written to the log, and counts as sent."""

    def __enter__(self) -> LogSender:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, mail: EmailMessage) -> None:
        log.info("E-mail (DM_SMTP_URL is not set) to %s: %s\n%s", mail["To"], mail["Subject"], mail.get_content())


class SmtpSender:
    """One SMTP session for a batch: connect (TLS as the URL says), log in, send each mail."""

    def __init__(self, target: SmtpTarget, timeout: float = SMTP_TIMEOUT_SECONDS) -> None:
        self.target = target
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSender:
        target = self.target
        if target.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                target.host, target.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(target.host, target.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if target.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if target.username:
                smtp.login(target.username, target.password or "")
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return self

    def __exit__(self, *exc) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def send(self, mail: EmailMessage) -> None:
        assert self._smtp is not None, "use the sender as a context manager"
        self._smtp.send_message(mail)


def sender_for(settings: Settings) -> Sender:
    if not settings.smtp_url:
        return LogSender()
    return SmtpSender(parse_smtp_url(settings.smtp_url))
