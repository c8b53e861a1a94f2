"""Use cases of the FAQ and notices (공지): the operator writes, edits, publishes, unpublishes and orders
them; notices carry attachments. Only published entries are shown to the public; a draft or unpublished
notice is a 404 for anyone but an operator.

Every change records an audit event and tells the other operators, in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..core import audit
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.files import StoredFile
from ..core.i18n import N_, Text
from ..core.tables import utcnow
from . import rules
from .inquiries import notify, operator_ids
from .rules import CATEGORY_LABELS, Category, PublishAction, PublishState
from .tables import FaqEntry, Notice, NoticeAttachment


def _desk(actor: Actor) -> None:
    if actor.role != Role.OPERATOR:
        raise NotFound()


def _record(session: Session, actor: Actor, action: str, object_type: str, object_id: int, **details) -> None:
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details,
    )


def _tell_desk(session: Session, actor: Actor, message: Text, link: str) -> None:
    notify(session, operator_ids(session, but=actor.user_id), message, link)


# --- FAQ ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FaqGroup:
    category: Category
    label: Text
    entries: list[FaqEntry]


def faq_entry(session: Session, actor: Actor, entry_id: int) -> FaqEntry:
    _desk(actor)
    entry = session.get(FaqEntry, entry_id)
    if entry is None:
        raise NotFound()
    return entry


def all_faq(session: Session) -> list[FaqEntry]:
    return list(session.scalars(select(FaqEntry).order_by(FaqEntry.category, FaqEntry.position, FaqEntry.id)))


def published_faq(session: Session, query: str = "") -> list[FaqGroup]:
    """Published entries grouped by category (in the categories' order), filtered by a substring query."""
    rows = session.scalars(
        select(FaqEntry).where(FaqEntry.status == PublishState.PUBLISHED).order_by(FaqEntry.position, FaqEntry.id)
    ).all()
    found = [e for e in rows if rules.matches(query, e.question, e.answer)]
    return [
        FaqGroup(category, CATEGORY_LABELS[category], [e for e in found if e.category == category])
        for category in Category
        if any(e.category == category for e in found)
    ]


def _faq_checked(category: str, question: str, answer: str) -> None:
    problems = rules.faq_problems(category, question, answer)
    if problems:
        raise ValidationFailed(fields=problems)


def create_faq(
    session: Session, actor: Actor, category: str, question: str, answer: str, now: datetime | None = None
) -> FaqEntry:
    """A draft entry at the end of its category."""
    now = now or utcnow()
    _desk(actor)
    _faq_checked(category, question, answer)
    last = session.scalar(select(func.max(FaqEntry.position)).where(FaqEntry.category == category))
    entry = FaqEntry(
        category=category,
        question=question.strip(),
        answer=answer.strip(),
        position=(last or 0) + 1,
        status=PublishState.DRAFT,
        created_at=now,
        updated_at=now,
    )
    session.add(entry)
    session.flush()
    _record(session, actor, "faq.created", "faq", entry.id, category=category)
    _tell_desk(
        session,
        actor,
        N_("%(name)s wrote an FAQ entry: %(title)s", name=actor.name, title=entry.question),
        "/operator/faq",
    )
    return entry


def edit_faq(
    session: Session,
    actor: Actor,
    entry_id: int,
    version: int,
    category: str,
    question: str,
    answer: str,
    now: datetime | None = None,
) -> FaqEntry:
    now = now or utcnow()
    entry = faq_entry(session, actor, entry_id)
    _faq_checked(category, question, answer)
    if entry.version != version:
        raise Conflict()
    if category != entry.category:
        last = session.scalar(select(func.max(FaqEntry.position)).where(FaqEntry.category == category))
        entry.position = (last or 0) + 1
    before = {"category": entry.category, "question": entry.question}
    entry.category, entry.question, entry.answer, entry.updated_at = category, question.strip(), answer.strip(), now
    session.flush()
    _record(session, actor, "faq.edited", "faq", entry.id, before=before)
    _tell_desk(
        session,
        actor,
        N_("%(name)s changed an FAQ entry: %(title)s", name=actor.name, title=entry.question),
        "/operator/faq",
    )
    return entry


def _publishing(
    session: Session, actor: Actor, entry: FaqEntry | Notice, kind: str, version: int, action: PublishAction, now
) -> None:
    new_state = rules.move(kind, entry.status, action)
    if entry.version != version:
        raise Conflict()
    entry.status = new_state
    entry.updated_at = now
    if isinstance(entry, Notice) and new_state == PublishState.PUBLISHED and entry.published_at is None:
        entry.published_at = now
    session.flush()
    _record(session, actor, f"{kind}.{action.value}ed", kind, entry.id, status=new_state.value)
    title = entry.question if isinstance(entry, FaqEntry) else entry.title
    message = (
        N_("%(name)s published: %(title)s", name=actor.name, title=title)
        if action == PublishAction.PUBLISH
        else N_("%(name)s unpublished: %(title)s", name=actor.name, title=title)
    )
    _tell_desk(session, actor, message, "/operator/faq" if kind == "faq" else f"/operator/notices/{entry.id}")


def publish_faq(session: Session, actor: Actor, entry_id: int, version: int, now: datetime | None = None) -> FaqEntry:
    entry = faq_entry(session, actor, entry_id)
    _publishing(session, actor, entry, "faq", version, PublishAction.PUBLISH, now or utcnow())
    return entry


def unpublish_faq(session: Session, actor: Actor, entry_id: int, version: int, now: datetime | None = None) -> FaqEntry:
    entry = faq_entry(session, actor, entry_id)
    _publishing(session, actor, entry, "faq", version, PublishAction.UNPUBLISH, now or utcnow())
    return entry


def move_faq(
    session: Session, actor: Actor, entry_id: int, version: int, direction: str, now: datetime | None = None
) -> FaqEntry:
    """Swap an entry with its neighbour above (``up``) or below (``down``) in its category."""
    now = now or utcnow()
    entry = faq_entry(session, actor, entry_id)
    if direction not in ("up", "down"):
        raise ValidationFailed(fields={"direction": N_("Choose one of the options.")})
    if entry.version != version:
        raise Conflict()
    siblings = list(
        session.scalars(
            select(FaqEntry).where(FaqEntry.category == entry.category).order_by(FaqEntry.position, FaqEntry.id)
        )
    )
    index = siblings.index(entry)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(siblings):
        raise Conflict(
            N_(
                "The entry is already at the %(end)s of its category.",
                end=N_("top") if direction == "up" else N_("bottom"),
            )
        )
    other = siblings[other_index]
    for position, row in enumerate(siblings, start=1):  # positions made distinct, then the two swapped
        row.position = position
    entry.position, other.position = other.position, entry.position
    entry.updated_at = now
    session.flush()
    _record(session, actor, "faq.moved", "faq", entry.id, direction=direction, position=entry.position)
    _tell_desk(session, actor, N_("%(name)s reordered the FAQ.", name=actor.name), "/operator/faq")
    return entry


# --- notices ------------------------------------------------------------------------------------------------


def desk_notice(session: Session, actor: Actor, notice_id: int) -> Notice:
    _desk(actor)
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFound()
    return notice


def visible_notice(session: Session, actor: Actor | None, notice_id: int) -> Notice:
    """A published notice for anyone; any notice for an operator; otherwise 404."""
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFound()
    if notice.status != PublishState.PUBLISHED and (actor is None or actor.role != Role.OPERATOR):
        raise NotFound()
    return notice


def public_notices(session: Session, limit: int = 100, offset: int = 0) -> list[Notice]:
    """Published notices: pinned first, then the newest first."""
    query = (
        select(Notice)
        .where(Notice.status == PublishState.PUBLISHED)
        .order_by(Notice.pinned.desc(), Notice.published_at.desc(), Notice.id.desc())
    )
    return list(session.scalars(query.offset(offset).limit(limit)))


def all_notices(session: Session) -> list[Notice]:
    return list(session.scalars(select(Notice).order_by(Notice.pinned.desc(), Notice.id.desc())))


def _notice_checked(title: str, body: str) -> None:
    problems = rules.notice_problems(title, body)
    if problems:
        raise ValidationFailed(fields=problems)


def create_notice(
    session: Session, actor: Actor, title: str, body: str, pinned: bool = False, now: datetime | None = None
) -> Notice:
    """A draft notice; published when the operator says so."""
    now = now or utcnow()
    _desk(actor)
    _notice_checked(title, body)
    notice = Notice(
        title=title.strip(),
        body=body.strip(),
        pinned=bool(pinned),
        status=PublishState.DRAFT,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(notice)
    session.flush()
    _record(session, actor, "notice.created", "notice", notice.id, pinned=notice.pinned)
    _tell_desk(
        session,
        actor,
        N_("%(name)s wrote a notice: %(title)s", name=actor.name, title=notice.title),
        f"/operator/notices/{notice.id}",
    )
    return notice


def edit_notice(
    session: Session,
    actor: Actor,
    notice_id: int,
    version: int,
    title: str,
    body: str,
    pinned: bool,
    now: datetime | None = None,
) -> Notice:
    now = now or utcnow()
    notice = desk_notice(session, actor, notice_id)
    _notice_checked(title, body)
    if notice.version != version:
        raise Conflict()
    before = {"title": notice.title, "pinned": notice.pinned}
    notice.title, notice.body, notice.pinned, notice.updated_at = title.strip(), body.strip(), bool(pinned), now
    session.flush()
    _record(session, actor, "notice.edited", "notice", notice.id, before=before)
    _tell_desk(
        session,
        actor,
        N_("%(name)s changed a notice: %(title)s", name=actor.name, title=notice.title),
        f"/operator/notices/{notice.id}",
    )
    return notice


def publish_notice(session: Session, actor: Actor, notice_id: int, version: int, now: datetime | None = None) -> Notice:
    notice = desk_notice(session, actor, notice_id)
    _publishing(session, actor, notice, "notice", version, PublishAction.PUBLISH, now or utcnow())
    return notice


def unpublish_notice(
    session: Session, actor: Actor, notice_id: int, version: int, now: datetime | None = None
) -> Notice:
    notice = desk_notice(session, actor, notice_id)
    _publishing(session, actor, notice, "notice", version, PublishAction.UNPUBLISH, now or utcnow())
    return notice


def attach(session: Session, actor: Actor, notice_id: int, stored: StoredFile) -> NoticeAttachment:
    """Attach a stored file (checked by the document store: magic bytes, size, safe name)."""
    notice = desk_notice(session, actor, notice_id)
    if len(notice.attachments) >= rules.MAX_ATTACHMENTS:
        raise ValidationFailed(fields={"file": N_("At most %(max)s items.", max=rules.MAX_ATTACHMENTS)})
    attachment = NoticeAttachment(
        notice=notice,
        filename=stored.filename,
        sha256=stored.sha256,
        size=stored.size,
        media_type=stored.media_type,
        uploaded_by=actor.user_id,
    )
    session.add(attachment)
    notice.updated_at = utcnow()
    session.flush()
    _record(
        session,
        actor,
        "notice.attachment_added",
        "notice",
        notice.id,
        attachment_id=attachment.id,
        sha256=stored.sha256,
        filename=stored.filename,
    )
    _tell_desk(
        session,
        actor,
        N_(
            "%(name)s attached %(file)s to the notice %(title)s.",
            name=actor.name,
            file=stored.filename,
            title=notice.title,
        ),
        f"/operator/notices/{notice.id}",
    )
    return attachment


def remove_attachment(session: Session, actor: Actor, notice_id: int, attachment_id: int) -> None:
    notice = desk_notice(session, actor, notice_id)
    attachment = next((a for a in notice.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound()
    filename = attachment.filename
    notice.attachments.remove(attachment)
    session.delete(attachment)
    notice.updated_at = utcnow()
    session.flush()
    _record(session, actor, "notice.attachment_removed", "notice", notice.id, attachment_id=attachment_id)
    _tell_desk(
        session,
        actor,
        N_("%(name)s removed %(file)s from the notice %(title)s.", name=actor.name, file=filename, title=notice.title),
        f"/operator/notices/{notice.id}",
    )


def attachment_for(session: Session, actor: Actor | None, notice_id: int, attachment_id: int) -> NoticeAttachment:
    notice = visible_notice(session, actor, notice_id)
    attachment = next((a for a in notice.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound()
    return attachment
