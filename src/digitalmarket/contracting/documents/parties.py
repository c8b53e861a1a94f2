"""Whether both parties of an order can have a contract document (계약서, laid out by `layout.py`).

Every party detail the document prints (name or 상호, agency code or 사업자등록번호, 대표자, 주소) comes from
the organisations' profiles; `refuse_unless_parties_complete` refuses to make a document while one is
missing (409 naming the details and the profile page where they are entered), so none is ever printed
as "-". A party's confirmation (time and person) is printed only once it has confirmed.
"""

from __future__ import annotations

from ...accounts.profiles import contract_party_gaps
from ...accounts.rules import CONTRACT_PARTY_LABELS, OrganisationKind
from ...core.errors import Conflict
from ...core.i18n import N_, Text


class PartiesIncomplete(Conflict):
    """A party's profile lacks a detail the contract document prints."""

    code = "contract_parties_incomplete"
    default_message = N_(
        "The contract document cannot be made yet: it needs every detail of both parties. Enter the missing "
        "details and try again."
    )


#: Where each kind of organisation enters its details.
PROFILE_PAGES = {OrganisationKind.AGENCY: "/agency/profile", OrganisationKind.SUPPLIER: "/supplier/profile"}


def refuse_unless_parties_complete(agency, supplier) -> None:
    """409 naming, per party (field ``agency`` or ``supplier``), the details its profile lacks and the page
    where they are entered. Nothing is written: the caller's transaction ends with the error."""
    problems = party_problems(agency, supplier)
    if problems:
        raise PartiesIncomplete(fields=problems)


def party_problems(agency, supplier) -> dict[str, Text]:
    """What `refuse_unless_parties_complete` would say, per side, as messages a page can show as the next
    step before anyone tries (empty when both profiles are complete)."""
    problems: dict[str, Text] = {}
    for side, org in (("agency", agency), ("supplier", supplier)):
        gaps = contract_party_gaps(org)
        if not gaps:
            continue
        missing = [CONTRACT_PARTY_LABELS[name] for name in gaps]
        if side == "agency":
            text = N_(
                "The agency %(name)s has not entered: %(missing)s. Its buyers enter them on the agency's "
                "details page (%(page)s).",
                name=org.name,
                missing=missing,
                page=PROFILE_PAGES[OrganisationKind.AGENCY],
            )
        else:
            text = N_(
                "The supplier %(name)s has not entered: %(missing)s. Its users enter them on the company "
                "profile page (%(page)s).",
                name=org.name,
                missing=missing,
                page=PROFILE_PAGES[OrganisationKind.SUPPLIER],
            )
        problems[side] = text
    return problems
