"""How the pages show a service: its labels, its CSAP certificate, its main price. Shared by the
catalog's own pages and the pages of later packages that list services (the search page)."""

from __future__ import annotations

from ..accounts.rules import SIZE_LABELS
from ..core import i18n
from ..core.clock import today_kst
from ..core.formatting import kst_date, won
from .compare_prices import price_label
from .content_rules import csap_valid
from .rules import BILLING_LABELS, CSAP_GRADE_LABELS, DEPLOYMENT_LABELS, TYPE_LABELS


def csap_of(service) -> dict | None:
    """The service's CSAP certificate as the pages show it, with whether it is valid today."""
    if not service.csap_grade:
        return None
    content = {
        "csap_grade": service.csap_grade,
        "csap_valid_until": service.csap_valid_until.isoformat() if service.csap_valid_until else None,
    }
    return {"grade": service.csap_grade, "valid": csap_valid(content, today_kst())}


def labels() -> dict:
    """What a template that shows services needs: labels of types, deployments, billing, sizes and
    CSAP grades, and the helpers that format a date, an amount, a certificate and a main price."""
    return {
        "type_labels": TYPE_LABELS,
        "deployment_labels": DEPLOYMENT_LABELS,
        "billing_labels": BILLING_LABELS,
        "size_labels": SIZE_LABELS,
        "format_date": kst_date,
        "won": won,
        "csap_of": csap_of,
        "csap_grade_labels": CSAP_GRADE_LABELS,
        "price_label": price_label,
        "locale": i18n.current_locale.get(),
    }
