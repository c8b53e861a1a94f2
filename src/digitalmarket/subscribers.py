"""Every subscription of the platform, in one list, installed at start-up.

The app factory (`web.app.create_app`), the command line (`cli/__init__.py`) and the test fixtures call
`install()`; nothing subscribes by being imported. Events are the audit events of the workflows'
steps, handed to their in-transaction subscribers in the step's own transaction (`core.events`) and,
after commit, read in log order by the consumers (`core.consumers`). Page sections that one
package adds to another's page are declared here too, by the page's owner registry (`core.sections`),
and so are the providers through which an earlier stage answers for a later one (`catalog.papers`).

To add a subscriber: write a handler ``(session, events) -> None`` in the package that owns what it
writes (a read model downstream of the event's stage), and add one line below.
"""

from __future__ import annotations

from .core import consumers, events, sections


def install() -> None:
    """Fill the registries of event subscribers and page sections (idempotent: each call replaces them)."""
    from .search import projections as search_projections

    events.install(
        [
            # a service published or rewritten: its index terms (before the facts, which read them)
            events.subscribe(search_projections.INDEXED, search_projections.services_changed),
            # (what a search shows of a service follows the log itself at the next search: search/facts.py)
            # a supplier renamed on its profile: its services' index rows
            events.subscribe("organisation.updated", search_projections.supplier_changed),
        ]
    )
    _install_consumers()
    _install_sections()
    _install_providers()


def _install_consumers() -> None:
    from .contracting.catalog_documents import making as catalog_contract_documents
    from .contracting.orders import documents as contract_documents
    from .opendata import feed
    from .opendata import follow as open_data
    from .settlement import documents as settlement_documents
    from .webhooks import follow as webhooks

    consumers.install(
        [
            # the contract documents (PDF) of orders, made after the steps that call for them
            contract_documents.consumer(),
            # the 카탈로그 계약서 of each version of a catalog contract, signed by PPS and the supplier
            catalog_contract_documents.consumer(),
            # 검수조서, 대금청구서 and the tax invoices (PDF, XML) of accepted months, made after commit
            settlement_documents.consumer(),
            # the OCDS releases of orders, payments and catalog contracts (opendata/follow.py)
            open_data.consumer(),
            # the change feed pushed to the organisations' webhooks: deliveries queued for the sender
            webhooks.webhooks_consumer(),
        ],
        # the change feed's positions are numbered in commit order with the audit log's
        sequenced_with=[feed.number_changes],
    )


def _install_sections() -> None:
    from .contracting.catalog_contracts import pages as catalog_contract_pages
    from .settlement import settlement_pages

    sections.install(
        {
            # the service page (catalog/pages.py): its catalog contract, then its reviews
            "service": [catalog_contract_pages.service_page_section, settlement_pages.service_page_section],
            # the order page (contracting/orders/pages.py): the implementation, inspection and payments
            "order": [settlement_pages.order_page_section],
        }
    )


def _install_providers() -> None:
    from .catalog import papers
    from .selection.papers import papers_of_service

    # the papers behind a service (its selection application's documents), which a catalog contract reuses
    papers.install(papers_of_service)
