"""The 카탈로그 계약서 (catalog contract document) of each version of a catalog contract, made after the
step that calls for it has committed: the after-commit consumer ``catalog-contract-documents`` follows the
officer's signing (``catalog_contract.contract``, version 0) and each amendment
(``catalog_contract.amend``, 변경차수 1, 2 ...).

A version's document prints the contract number, the parties (조달청 and the supplier, with their
registration numbers and representatives), the service, the items with their unit prices, the period, the
amendment's reason and the clauses of a catalog contract (`CLAUSES`), laid out as a ``Paper`` by the
contract document's machinery (`contracting.documents.paper`). It is signed by PPS (the officer who took
the step, field ``PPS``) and by the supplier (its representative, field ``Supplier``) with
`signatures.signing.sign_pdf`, then sealed with the platform's document timestamp (`seal`). Every
revision is stored in the installation's document store and remembered in the ledger of signed documents
(family ``catalog-contract/<number>``, revision = 변경차수), which is where the document is found again
(`document_of`) and what ``/verify`` recognises.

Idempotent: a version whose revisions are in the ledger is not made again. Replayable: ``digitalmarket
rebuild catalog-contract-documents`` makes what any version still lacks (the ledger keeps what was made).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from ...accounts.tables import Organisation, User
from ...core import consumers
from ...core.audit import AuditEvent
from ...core.clock import today_kst
from ...core.errors import Conflict, NotFound
from ...core.files import DocumentStore
from ...core.formatting import won
from ...core.i18n import N_
from ...signatures import ledger
from ...signatures.authority import CannotSign
from ...signatures.signing import SigningError, seal, sign_pdf
from ...signatures.tables import SignedDocument
from ...signatures.vault import KeyUnavailable
from ..catalog_contracts.queries import document_family, signed_documents
from ..documents.paper import Grid, KeyValues, Paper, Paragraph, paper_pdf
from ..documents.terms import business_number, korean_date, or_dash
from ..tables import CatalogContract, CatalogContractVersion

log = logging.getLogger("digitalmarket.contracting.catalog_contract_documents")

CONSUMER = "catalog-contract-documents"
ACTIONS = ("catalog_contract.contract", "catalog_contract.amend")
TITLE = "카탈로그 계약서"

#: The clauses every catalog contract has (the rules the platform enforces, docs/contracting.md).
CLAUSES = (
    "제1조(목적) 이 계약은 계약상대자가 디지털서비스몰에 등록한 위 서비스의 품목을 수요기관이 계약기간 동안 "
    "위 계약단가 이하로 납품요구할 수 있도록 그 조건을 정한다.",
    "제2조(계약단가) 계약단가는 부가가치세를 제외한 금액이며 해당 서비스의 카탈로그 목록 가격을 넘을 수 없다. "
    "계약단가는 변경계약으로 인하할 수 있으며 인상할 수 없다.",
    "제3조(계약기간) 계약기간은 위 기간으로 하며 변경계약으로 연장할 수 있고 단축할 수 없다. 수요기관의 "
    "납품요구 기간은 계약기간 안이어야 한다.",
    "제4조(거래정지) 조달청은 서비스의 중지, 계약상대자에 대한 제재 등 사유가 있으면 사유를 밝혀 거래를 "
    "정지할 수 있으며, 사유가 해소되면 거래를 재개할 수 있다.",
    "제5조(변경계약) 품목과 계약단가, 계약기간의 변경은 변경차수를 붙인 변경계약서로 하며 이전 차수의 "
    "계약서는 변경되지 않는다.",
    "제6조(전자서명) 이 계약서는 조달청과 계약상대자의 전자서명(PAdES)과 플랫폼의 시점확인(타임스탬프)으로 "
    "체결되며, 누구나 /verify에서 그 진위를 확인할 수 있다.",
)


class DocumentPreparing(Conflict):
    """The version's document is still being made (after the step that called for it committed). 409 with
    ``Retry-After``."""

    code = "document_preparing"
    default_message = N_("The catalog contract document is being prepared. Please check again in a moment.")
    retry_after_seconds = 2


def family_of(contract: CatalogContract) -> str:
    return document_family(contract)


def title_of(contract: CatalogContract, seq: int) -> str:
    change = f" 변경계약서 (제{seq}차)" if seq else ""
    return f"{TITLE} {contract.number}{change}"


def filename_of(contract: CatalogContract, seq: int) -> str:
    return f"catalog-contract-{contract.number}-{seq}.pdf"


def _version(contract: CatalogContract, seq: int) -> CatalogContractVersion | None:
    return next((v for v in contract.versions if v.seq == seq), None)


def _officer(session: Session, contract: CatalogContract, seq: int) -> User | None:
    """Who signed the version for PPS: the officer who contracted (0) or amended it."""
    version = _version(contract, seq)
    user_id = version.actor_user_id if seq and version is not None else contract.officer_id
    return session.get(User, user_id) if user_id else None


def _dated(contract: CatalogContract, seq: int) -> date:
    version = _version(contract, seq)
    if seq and version is not None:
        return today_kst(version.created_at)
    return today_kst(contract.contracted_at) if contract.contracted_at else today_kst()


def paper_of(session: Session, contract: CatalogContract, seq: int) -> Paper:
    """The version's 카탈로그 계약서 (the same version gives the same paper, so the same draft bytes)."""
    version = _version(contract, seq)
    service, supplier = contract.service, contract.supplier
    officer = _officer(session, contract, seq)
    pps = session.get(Organisation, officer.organisation_id) if officer else None
    start = version.period_start if version else contract.period_start
    end = version.period_end if version else contract.period_end
    items = [item for item in contract.items if item.seq == seq]
    rows = [
        (str(n), item.product_id, item.item, item.unit, f"{won(item.unit_price)}원")
        for n, item in enumerate(items, start=1)
    ]
    blocks: list = [
        KeyValues(
            "계약 당사자",
            [
                ("발주기관", pps.name if pps else "조달청"),
                ("계약관", officer.name if officer else "-"),
                ("계약상대자 (상호)", supplier.name),
                ("사업자등록번호", business_number(supplier.business_number or "")),
                ("대표자", or_dash(supplier.representative or "")),
                ("주소", or_dash(supplier.address or "")),
            ],
        ),
        KeyValues(
            "계약 내용",
            [
                ("계약번호", contract.number or "-"),
                ("변경차수", f"제{seq}차" if seq else "최초 계약"),
                ("서비스", f"{service.name} ({service.code})"),
                ("계약기간", f"{korean_date(start)} ~ {korean_date(end)}"),
            ],
        ),
        Grid(
            "계약 품목 (단가는 부가가치세 제외)",
            ("번호", "물품식별번호", "품명", "단위", "계약단가"),
            rows,
            (14, 40, 70, 20, 30),
            ("C", "L", "L", "C", "R"),
        ),
    ]
    if seq and version is not None and version.reason:
        blocks.append(Paragraph(version.reason, title="변경 사유"))
    blocks.append(Paragraph("\n".join(CLAUSES), title="계약 조건"))
    blocks.append(
        Paragraph(
            "조달청과 계약상대자는 위 조건으로 카탈로그 계약을 체결하며, 그 증거로 이 계약서에 각각 전자서명한다.",
            small=True,
        )
    )
    subtitle = f"변경계약서 (제{seq}차)" if seq else "디지털서비스 카탈로그 계약"
    number = contract.number or "-"
    return Paper(TITLE, subtitle, "계약번호", number, _dated(contract, seq), blocks, subject=service.name)


def installed_store() -> DocumentStore:
    from ...core.settings import load_settings

    return DocumentStore.of(load_settings())


def _signed_revisions(session: Session, contract: CatalogContract, seq: int, store: DocumentStore) -> list[dict]:
    """The draft, PPS's signature, the supplier's signature and the timestamp, each stored."""
    officer = _officer(session, contract, seq)
    if officer is None:
        raise ValueError("the version has no officer to sign it")
    draft = paper_pdf(paper_of(session, contract, seq))
    revisions: list[dict] = [{"kind": "draft", "pdf": draft}]
    reason = f"카탈로그 변경계약 (제{seq}차)" if seq else "카탈로그 계약 체결"
    current = draft
    signers = (
        (officer.organisation_id, officer.name, "PPS"),
        (contract.supplier_id, contract.supplier.representative or contract.supplier.name, "Supplier"),
    )
    for organisation_id, name, field in signers:
        before = current
        current = sign_pdf(session, organisation_id, before, reason=reason, signer_name=name, field=field)
        revisions.append(
            {"kind": "signature", "pdf": current, "signs": before, "organisation_id": organisation_id, "name": name}
        )
    revisions.append({"kind": "timestamp", "pdf": seal(session, current), "signs": current})
    for revision in revisions:
        store.accept(revision["pdf"], filename_of(contract, seq), "document")
        revision.update(family=family_of(contract), revision=seq, title=title_of(contract, seq))
    return revisions


def _has_document(session: Session, contract: CatalogContract, seq: int) -> bool:
    return any(row.kind == "timestamp" for row in ledger.chain(session, family_of(contract), seq))


def documents_prepared(session: Session, events: Sequence[AuditEvent]) -> list[dict]:
    """The consumer's slow part: the documents the contracts named by ``events`` lack, made, signed and
    stored. A document that cannot be made (a certificate revoked since, a key unavailable) is logged and
    left for the next replay."""
    store = installed_store()
    prepared: list[dict] = []
    for contract_id in sorted({int(event.object_id) for event in events}):
        contract = session.get(CatalogContract, contract_id)
        if contract is None or not contract.number:
            continue
        for version in contract.versions:
            if _has_document(session, contract, version.seq):
                continue
            try:
                prepared += _signed_revisions(session, contract, version.seq, store)
            except (ValueError, Conflict, CannotSign, KeyUnavailable, SigningError) as error:
                log.error("The document of %s, version %s, cannot be made: %s", contract.number, version.seq, error)
    return prepared


def documents_followed(session: Session, events: Sequence[AuditEvent], prepared: list[dict]) -> None:
    """The quick part: remember every revision made (registering the same bytes again changes nothing)."""
    for revision in prepared:
        ledger.register_made(session, revision)
    session.flush()


def document_of(session: Session, contract: CatalogContract, seq: int | None) -> tuple[SignedDocument, int]:
    """The document of version ``seq`` (default: the newest version) and its 변경차수: 404 for a contract
    not signed yet or a version it does not have, 409 with ``Retry-After`` while it is being made."""
    seqs = {version.seq for version in contract.versions}
    seq = contract.change_seq if seq is None else seq
    if not contract.number or seq not in seqs:
        raise NotFound()
    documents = signed_documents(session, contract)
    if seq not in documents:
        raise DocumentPreparing()
    return documents[seq], seq


def consumer() -> consumers.Consumer:
    """The after-commit consumer that makes the catalog contract documents (installed by
    `digitalmarket.subscribers`)."""
    return consumers.consumer(
        CONSUMER,
        ACTIONS,
        documents_followed,
        prepare=documents_prepared,
        title=N_("Catalog contract documents"),
    )
