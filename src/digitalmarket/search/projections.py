"""What search follows from the events of the steps (see `core.events`).

A service published or rewritten (``service.published``, ``service.updated``: by the catalog's workflow,
the importer or an accepted change) is (re)indexed in that step's transaction (`services_changed`); the
catalog records its event and knows nothing of the index.

What a search shows of a service beyond its index row (its catalog contract, its number of contracts, its
rating, its supplier's size: `changes.FACT_ACTIONS`) needs nothing here: every process, at its next search,
finds the steps' events in the log and loads again the facts of the services they touched (`facts.py`).
The stages write their event and need not know that search exists.

A supplier's name is indexed with each of its services and its name and size are search facts (the
supplier, its 초성, the SME facet). `accounts` records ``organisation.updated`` when a supplier edits its
profile and knows nothing of search; `supplier_changed`, subscribed in `digitalmarket.subscribers`,
brings the index rows up to date in the same transaction (the facts follow the event, as above).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.tables import Organisation
from ..catalog.tables import Service
from ..core.audit import AuditEvent
from . import analyzer
from .changes import FACT_ACTIONS
from .index import FIELDS, backend_for, index_service, index_texts
from .tables import ServiceSearch

__all__ = ["FACT_ACTIONS", "INDEXED", "services_changed", "supplier_changed"]

INDEXED = ("service.published", "service.updated")
"""The steps whose service is (re)indexed: its texts or its supplier may have changed."""
ANALYSED_TEXTS = 200_000
"""The analysis of each distinct text (a supplier's name, a keyword ...) is kept for the next steps of
this process, up to this many texts: an import of many files analyses each once."""
_analysed: dict[str, list[str]] = {}


def services_changed(session: Session, events: Sequence[AuditEvent]) -> None:
    """After services were published or rewritten: index each of them again, their texts analysed
    together (an import hands its lines' events over at once)."""
    ids = list(dict.fromkeys(int(e.object_id) for e in events if e.object_type == "service"))
    services = [service for service in (session.get(Service, service_id) for service_id in ids) if service]
    texts = [index_texts(service) for service in services]
    distinct = dict.fromkeys(text for fields in texts for items in fields.values() for text in items)
    known = {text: _analysed[text] for text in distinct if text in _analysed}
    new = [text for text in distinct if text not in known]
    known.update(zip(new, analyzer.index_terms_many(new), strict=True))
    if len(_analysed) + len(new) > ANALYSED_TEXTS:
        _analysed.clear()
    _analysed.update((text, known[text]) for text in new)
    for service, fields in zip(services, texts, strict=True):
        terms = {name: [term for text in items for term in known[text]] for name, items in fields.items()}
        index_service(session, service, terms=terms)


def supplier_changed(session: Session, events: Sequence[AuditEvent]) -> None:
    """After ``organisation.updated``: when a supplier's name changed, reindex the supplier field of
    each of its services (one analysis of the name, whatever the number of services). Its name and size
    as search facts follow the event at the next search (`facts.py`)."""
    for event in events:
        if event.object_type != "organisation":
            continue
        org = session.get(Organisation, int(event.object_id))
        before = (event.details or {}).get("before") or {}
        if org is not None and org.kind == "supplier" and before.get("name") != org.name:
            _reindex_supplier_name(session, org)


def _reindex_supplier_name(session: Session, org: Organisation) -> bool:
    """Rewrite the supplier terms (and the 초성) of the index rows of every service of ``org``; whether
    there were any."""
    rows = session.execute(
        select(ServiceSearch, Service.name)
        .join(Service, Service.id == ServiceSearch.service_id)
        .where(Service.supplier_id == org.id)
    ).all()
    if not rows:
        return False
    supplier_terms = " ".join(analyzer.index_terms(org.name))
    supplier_chosung = analyzer.chosung(org.name)
    backend = backend_for(session)
    for row, service_name in rows:
        row.supplier = supplier_terms
        row.chosung = analyzer.chosung(service_name) + " " + supplier_chosung
        fields = [getattr(row, name) for name in FIELDS]
        row.length = sum(len(value.split()) for value in fields)
        backend.store(session, row.service_id, " ".join(fields))
    session.flush()
    return True
