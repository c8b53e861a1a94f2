"""JSON routes of the help desk under /api/v1: the same workflows as the pages.

The FAQ and published notices are public. Inquiries: a signed-in user asks and follows up on its own;
an operator sees the queue and answers. Operators write, edit, publish and unpublish FAQ entries and
notices and attach files to notices.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from ..accounts.access import api_access, database
from ..accounts.permissions import OPERATORS, PUBLIC, SIGNED_IN, Actor
from ..accounts.schemas import ErrorOut
from ..core.files import DocumentStore, attachment, read_limited
from ..core.paging import DEFAULT_LIMIT, Cursor, Limit, Page, page_in_order
from ..core.paths import Id
from . import content, inquiries, rules
from .tables import FaqEntry, Inquiry, Notice, NoticeAttachment

router = APIRouter(tags=["help desk"], responses={s: {"model": ErrorOut} for s in (401, 403, 404, 409, 422)})


def _store(request: Request) -> DocumentStore:
    return DocumentStore.of(request.app.state.settings)


# --- shapes -----------------------------------------------------------------------------------------------------


class InquiryIn(BaseModel):
    subject: str = Field(max_length=400)
    category: str = Field(max_length=20, description="account, selection, contract, payment, technical or other")
    body: str = Field(max_length=10_000)


class MessageIn(BaseModel):
    version: int
    body: str = Field(max_length=10_000)


class ContentVersionIn(BaseModel):
    version: int


class InquiryMessageOut(BaseModel):
    id: int
    author: str
    from_operator: bool
    body: str
    created_at: datetime


class InquiryOut(BaseModel):
    id: int
    code: str
    subject: str
    category: str
    state: rules.InquiryState
    asked_by: str
    created_at: datetime
    last_message_at: datetime
    messages: list[InquiryMessageOut]
    version: int

    @classmethod
    def of(cls, inquiry: Inquiry) -> InquiryOut:
        return cls(
            id=inquiry.id,
            code=inquiry.code,
            subject=inquiry.subject,
            category=inquiry.category,
            state=inquiry.status,
            asked_by=inquiry.user.name,
            created_at=inquiry.created_at,
            last_message_at=inquiry.last_message_at,
            messages=[
                InquiryMessageOut(
                    id=m.id,
                    author=m.author.name,
                    from_operator=m.from_operator,
                    body=m.body,
                    created_at=m.created_at,
                )
                for m in inquiry.messages
            ],
            version=inquiry.version,
        )


class FaqIn(BaseModel):
    category: str = Field(max_length=20)
    question: str = Field(max_length=600)
    answer: str = Field(max_length=20_000)


class FaqEditIn(FaqIn):
    version: int


class FaqOut(BaseModel):
    id: int
    category: str
    question: str
    answer: str
    position: int
    state: rules.PublishState
    version: int

    @classmethod
    def of(cls, entry: FaqEntry) -> FaqOut:
        return cls(
            id=entry.id,
            category=entry.category,
            question=entry.question,
            answer=entry.answer,
            position=entry.position,
            state=entry.status,
            version=entry.version,
        )


class NoticeIn(BaseModel):
    title: str = Field(max_length=400)
    body: str = Field(max_length=40_000)
    pinned: bool = False


class NoticeEditIn(NoticeIn):
    version: int


class AttachmentOut(BaseModel):
    id: int
    filename: str
    size: int
    media_type: str
    url: str

    @classmethod
    def of(cls, item: NoticeAttachment) -> AttachmentOut:
        return cls(
            id=item.id,
            filename=item.filename,
            size=item.size,
            media_type=item.media_type,
            url=f"/api/v1/notices/{item.notice_id}/attachments/{item.id}",
        )


class NoticeOut(BaseModel):
    id: int
    title: str
    body: str
    pinned: bool
    state: rules.PublishState
    published_at: datetime | None
    updated_at: datetime
    attachments: list[AttachmentOut]
    version: int

    @classmethod
    def of(cls, notice: Notice) -> NoticeOut:
        return cls(
            id=notice.id,
            title=notice.title,
            body=notice.body,
            pinned=notice.pinned,
            state=notice.status,
            published_at=notice.published_at,
            updated_at=notice.updated_at,
            attachments=[AttachmentOut.of(a) for a in notice.attachments],
            version=notice.version,
        )


# --- inquiries ---------------------------------------------------------------------------------------------------


@router.get(
    "/inquiries",
    response_model=Page[InquiryOut],
    summary="The caller's own inquiries; for an operator, the queue (waiting first, the longest waiting first)",
)
def list_inquiries(
    request: Request,
    state: rules.InquiryState | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    actor: Actor = Depends(api_access(SIGNED_IN)),
):
    with database(request).reading() as session:
        if inquiries.is_operator(actor):
            rows = inquiries.queue(session, state)
        else:
            rows = [i for i in inquiries.inquiries_of(session, actor) if state is None or i.status == state]
        chosen, next_cursor = page_in_order(rows, lambda i: i.id, cursor, limit)
        return Page(items=[InquiryOut.of(i) for i in chosen], next_cursor=next_cursor)


@router.post("/inquiries", status_code=201, response_model=InquiryOut, summary="Ask the help desk")
def ask(body: InquiryIn, request: Request, actor: Actor = Depends(api_access(SIGNED_IN))):
    with database(request).transaction() as session:
        return InquiryOut.of(inquiries.ask(session, actor, body.subject, body.category, body.body))


@router.get("/inquiries/{inquiry_id}", response_model=InquiryOut, summary="One inquiry with its messages")
def read_inquiry(inquiry_id: Id, request: Request, actor: Actor = Depends(api_access(SIGNED_IN))):
    with database(request).reading() as session:
        return InquiryOut.of(inquiries.visible_inquiry(session, actor, inquiry_id))


@router.post(
    "/inquiries/{inquiry_id}/messages",
    status_code=201,
    response_model=InquiryOut,
    summary="Write in the thread: an operator's answer, or the user's follow-up (which reopens it)",
)
def write(inquiry_id: Id, body: MessageIn, request: Request, actor: Actor = Depends(api_access(SIGNED_IN))):
    with database(request).transaction() as session:
        step = inquiries.answer if inquiries.is_operator(actor) else inquiries.follow_up
        return InquiryOut.of(step(session, actor, inquiry_id, body.version, body.body))


@router.post("/inquiries/{inquiry_id}/close", response_model=InquiryOut, summary="Close an inquiry")
def close(inquiry_id: Id, body: ContentVersionIn, request: Request, actor: Actor = Depends(api_access(SIGNED_IN))):
    with database(request).transaction() as session:
        return InquiryOut.of(inquiries.close(session, actor, inquiry_id, body.version))


# --- FAQ ---------------------------------------------------------------------------------------------------------


@router.get("/faq", response_model=Page[FaqOut], summary="Published FAQ entries, by category (public)")
def list_faq(
    request: Request,
    q: str = Query("", max_length=100),
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    _: Actor | None = Depends(api_access(PUBLIC)),
):
    with database(request).reading() as session:
        entries = [e for group in content.published_faq(session, q) for e in group.entries]
        chosen, next_cursor = page_in_order(entries, lambda e: e.id, cursor, limit)
        return Page(items=[FaqOut.of(e) for e in chosen], next_cursor=next_cursor)


@router.post("/faq", status_code=201, response_model=FaqOut, summary="Write an FAQ entry (a draft)")
def create_faq(body: FaqIn, request: Request, actor: Actor = Depends(api_access(OPERATORS))):
    with database(request).transaction() as session:
        return FaqOut.of(content.create_faq(session, actor, body.category, body.question, body.answer))


@router.put("/faq/{faq_id}", response_model=FaqOut, summary="Edit an FAQ entry")
def edit_faq(faq_id: Id, body: FaqEditIn, request: Request, actor: Actor = Depends(api_access(OPERATORS))):
    with database(request).transaction() as session:
        return FaqOut.of(
            content.edit_faq(session, actor, faq_id, body.version, body.category, body.question, body.answer)
        )


@router.post("/faq/{faq_id}/publish", response_model=FaqOut, summary="Publish an FAQ entry")
def publish_faq(faq_id: Id, body: ContentVersionIn, request: Request, actor: Actor = Depends(api_access(OPERATORS))):
    with database(request).transaction() as session:
        return FaqOut.of(content.publish_faq(session, actor, faq_id, body.version))


@router.post("/faq/{faq_id}/unpublish", response_model=FaqOut, summary="Unpublish an FAQ entry")
def unpublish_faq(faq_id: Id, body: ContentVersionIn, request: Request, actor: Actor = Depends(api_access(OPERATORS))):
    with database(request).transaction() as session:
        return FaqOut.of(content.unpublish_faq(session, actor, faq_id, body.version))


# --- notices -----------------------------------------------------------------------------------------------------


@router.get("/notices", response_model=Page[NoticeOut], summary="Published notices, pinned first (public)")
def list_notices(
    request: Request, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT, _: Actor | None = Depends(api_access(PUBLIC))
):
    with database(request).reading() as session:
        chosen, next_cursor = page_in_order(content.public_notices(session), lambda n: n.id, cursor, limit)
        return Page(items=[NoticeOut.of(n) for n in chosen], next_cursor=next_cursor)


@router.post("/notices", status_code=201, response_model=NoticeOut, summary="Write a notice (a draft)")
def create_notice(body: NoticeIn, request: Request, actor: Actor = Depends(api_access(OPERATORS))):
    with database(request).transaction() as session:
        return NoticeOut.of(content.create_notice(session, actor, body.title, body.body, body.pinned))


@router.get("/notices/{notice_id}", response_model=NoticeOut, summary="One notice (public once published)")
def read_notice(notice_id: Id, request: Request, actor: Actor | None = Depends(api_access(PUBLIC))):
    with database(request).reading() as session:
        return NoticeOut.of(content.visible_notice(session, actor, notice_id))


@router.put("/notices/{notice_id}", response_model=NoticeOut, summary="Edit a notice")
def edit_notice(notice_id: Id, body: NoticeEditIn, request: Request, actor: Actor = Depends(api_access(OPERATORS))):
    with database(request).transaction() as session:
        return NoticeOut.of(
            content.edit_notice(session, actor, notice_id, body.version, body.title, body.body, body.pinned)
        )


@router.post("/notices/{notice_id}/publish", response_model=NoticeOut, summary="Publish a notice")
def publish_notice(
    notice_id: Id, body: ContentVersionIn, request: Request, actor: Actor = Depends(api_access(OPERATORS))
):
    with database(request).transaction() as session:
        return NoticeOut.of(content.publish_notice(session, actor, notice_id, body.version))


@router.post("/notices/{notice_id}/unpublish", response_model=NoticeOut, summary="Unpublish a notice")
def unpublish_notice(
    notice_id: Id, body: ContentVersionIn, request: Request, actor: Actor = Depends(api_access(OPERATORS))
):
    with database(request).transaction() as session:
        return NoticeOut.of(content.unpublish_notice(session, actor, notice_id, body.version))


@router.post(
    "/notices/{notice_id}/attachments",
    status_code=201,
    response_model=AttachmentOut,
    summary="Attach a file to a notice (PDF, HWP, HWPX, DOCX, XLSX, PNG, JPEG; at most 10 MB)",
)
def upload(notice_id: Id, request: Request, file: UploadFile = File(), actor: Actor = Depends(api_access(OPERATORS))):
    data = read_limited(file.file, "file", rules.MAX_ATTACHMENT_BYTES)
    with database(request).transaction() as session:
        content.desk_notice(session, actor, notice_id)
        stored = _store(request).accept(data, file.filename or "", "file")
        return AttachmentOut.of(content.attach(session, actor, notice_id, stored))


@router.get(
    "/notices/{notice_id}/attachments/{attachment_id}",
    summary="Download an attachment of a published notice",
    response_class=FileResponse,
)
def download(notice_id: Id, attachment_id: Id, request: Request, actor: Actor | None = Depends(api_access(PUBLIC))):
    with database(request).reading() as session:
        found = content.attachment_for(session, actor, notice_id, attachment_id)
        path, filename, media_type = _store(request).path_of(found.sha256), found.filename, found.media_type
    return attachment(path, filename, media_type)
