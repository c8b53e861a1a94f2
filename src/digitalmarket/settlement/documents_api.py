"""JSON routes of an order's documents and its tax invoices under /api/v1: every document of an order
(contract versions, 검수조서, 대금청구서, tax invoices as PDF and XML) with its kind, hash, signers and
version, each downloadable by its SHA-256, for both parties and the operator (anyone else: 404); the tax
invoices of an invoice with every field the law requires; the supplier's amendment (수정세금계산서)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from ..accounts.access import api_access, database
from ..accounts.permissions import SUPPLIERS, Actor, roles
from ..accounts.rules import Role
from ..accounts.schemas import ErrorOut
from ..core.files import DocumentStore, attachment
from ..core.paging import DEFAULT_LIMIT, Cursor, Limit, Page, page, page_in_order
from ..core.paths import Id
from . import paperwork, tax_invoices
from .invoices import visible_invoice
from .tables import TaxInvoice, TaxInvoiceItem

PARTIES = roles(Role.AGENCY_BUYER, Role.SUPPLIER)
PARTIES_AND_STAFF = roles(Role.AGENCY_BUYER, Role.SUPPLIER, Role.OPERATOR, Role.ADMIN)
Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
router = APIRouter(tags=["documents"], responses={s: {"model": ErrorOut} for s in (401, 403, 404, 409, 422)})


class OrderDocumentOut(BaseModel):
    kind: str = Field(
        description="contract, inspection_report (검수조서), payment_claim (대금청구서), tax_invoice (PDF), "
        "tax_invoice_xml (the national standard's XML)"
    )
    title: str
    subject: str = Field(description="The order's code, an invoice's code or a tax invoice's approval number")
    version: int = Field(description="변경차수 of a contract document; the document's version otherwise")
    sha256: str
    size: int
    media_type: str
    filename: str
    signers: list[str]
    download: str

    @classmethod
    def of(cls, order_id: int, doc: paperwork.OrderDocument) -> OrderDocumentOut:
        fields = {name: getattr(doc, name) for name in cls.model_fields if name not in ("title", "download")}
        return cls(
            **fields,
            title=doc.label.render(),
            download=f"/api/v1/orders/{order_id}/documents/{doc.sha256}",
        )


class TaxInvoiceItemOut(BaseModel):
    position: int
    supplied_on: date = Field(description="The day supplied (월일)")
    name: str
    specification: str
    quantity: int
    unit_price: int
    supply_amount: int
    tax: int

    @classmethod
    def of(cls, item: TaxInvoiceItem) -> TaxInvoiceItemOut:
        return cls(**{name: getattr(item, name) for name in cls.model_fields})


class TaxInvoiceOut(BaseModel):
    id: int
    approval_number: str
    kind: str = Field(description="original, or amended (수정세금계산서)")
    original_approval_number: str | None = Field(description="The invoice an amended one amends")
    amendment_code: int | None = Field(description="수정사유 1-6 (부가가치세법 시행령 제70조)")
    amendment_note: str
    issued_on: date = Field(description="작성일자")
    issued_at: datetime
    supplier_number: str
    supplier_name: str
    supplier_representative: str
    supplier_address: str
    buyer_number: str
    buyer_name: str
    buyer_representative: str
    buyer_address: str
    supply_amount: int
    tax: int
    total: int
    items: list[TaxInvoiceItemOut]
    version: int

    @classmethod
    def of(cls, found: TaxInvoice, numbers: dict[int, str]) -> TaxInvoiceOut:
        skip = ("items", "original_approval_number")
        fields = {name: getattr(found, name) for name in cls.model_fields if name not in skip}
        return cls(
            **fields,
            original_approval_number=numbers.get(found.amends_id) if found.amends_id else None,
            items=[TaxInvoiceItemOut.of(item) for item in found.items],
        )


class AmendmentIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    version: int
    code: int = Field(description="수정사유: 1 기재사항 착오·정정, 2 공급가액 변동, 3 환입, 4 계약의 해제, 6 이중발급")
    supply_change: int | None = Field(default=None, description="Codes 2 and 3: the change of supply value in won")
    note: str = Field(default="", max_length=4000)


@router.get(
    "/orders/{order_id}/documents",
    response_model=Page[OrderDocumentOut],
    summary="Every document of an order (contract versions, inspection reports, claims, tax invoices)",
)
def order_documents(
    order_id: Id,
    request: Request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    actor: Actor = Depends(api_access(PARTIES_AND_STAFF)),
):
    with database(request).reading() as session:
        order = paperwork.order_for_documents(session, actor, order_id)
        placed = list(enumerate(paperwork.documents_of_order(session, order)))  # in the order the page shows
        chosen, next_cursor = page(placed, lambda pair: (pair[0],), cursor, limit, newest_first=False)
        return Page(items=[OrderDocumentOut.of(order.id, doc) for _, doc in chosen], next_cursor=next_cursor)


@router.get(
    "/orders/{order_id}/documents/{sha256}",
    summary="One document of an order, by its SHA-256",
    response_class=FileResponse,
)
def order_document(
    order_id: Id, sha256: Sha256, request: Request, actor: Actor = Depends(api_access(PARTIES_AND_STAFF))
):
    with database(request).reading() as session:
        doc = paperwork.document_by_hash(session, actor, order_id, sha256)
    store = DocumentStore.of(request.app.state.settings)
    return attachment(store.path_of(doc.sha256), doc.filename, doc.media_type)


def _tax_invoices_out(session, invoice_id: int) -> list[TaxInvoiceOut]:
    found = tax_invoices.tax_invoices_of(session, invoice_id)
    numbers = {row.id: row.approval_number for row in found}
    return [TaxInvoiceOut.of(row, numbers) for row in found]


@router.get(
    "/invoices/{invoice_id}/tax-invoices",
    response_model=Page[TaxInvoiceOut],
    summary="The tax invoices (전자세금계산서) of an invoice: the original and its amendments",
)
def invoice_tax_invoices(
    invoice_id: Id,
    request: Request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    actor: Actor = Depends(api_access(PARTIES)),
):
    with database(request).reading() as session:
        visible_invoice(session, actor, invoice_id)
        found = _tax_invoices_out(session, invoice_id)
        chosen, next_cursor = page_in_order(found, lambda t: t.id, cursor, limit)
        return Page(items=chosen, next_cursor=next_cursor)


@router.post(
    "/tax-invoices/{tax_invoice_id}/amend",
    status_code=201,
    response_model=list[TaxInvoiceOut],
    summary="Amend an issued tax invoice (수정세금계산서) with a reason code; answers the invoice's tax invoices",
)
def amend_tax_invoice(
    tax_invoice_id: Id, body: AmendmentIn, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))
):
    data = tax_invoices.AmendmentIn(body.code, body.supply_change, body.note)
    with database(request).transaction() as session:
        made = tax_invoices.amend(session, actor, tax_invoice_id, body.version, data)
        return _tax_invoices_out(session, made[0].invoice_id)
