"""What the selection pages share: labels, notices, formatting, and turning forms into content."""

from __future__ import annotations

from fastapi import Request

from ..accounts.permissions import Actor
from ..accounts.rules import ROLE_LABELS
from ..catalog import queries as catalog
from ..catalog.content_rules import MAX_PLANS
from ..catalog.rules import (
    BILLING_LABELS,
    DEPLOYMENT_LABELS,
    TYPE_LABELS,
)
from ..core import i18n
from ..core.formatting import file_size, kst_date, won
from ..core.i18n import N_, Text
from ..core.templating import render
from . import history
from .rules import (
    CRITERION_LABELS,
    DOCUMENT_LABELS,
    OPEN_STATES,
    STATE_LABELS,
    Action,
    State,
)

# --- shared by every selection page ----------------------------------------------------------------------

#: Messages a redirect asks the next selection page to show (``?notice=<key>``).
NOTICES: dict[str, tuple[str, Text]] = {
    "application_created": ("success", N_("The draft is saved. You can come back to it at any time.")),
    "saved": ("success", N_("Your changes are saved.")),
    "document_added": ("success", N_("The document is attached.")),
    "document_removed": ("info", N_("The document is removed.")),
    "submitted": ("success", N_("The application is submitted. The operator will check your documents.")),
    "reply_saved": ("success", N_("Your reply is saved. It goes to the operator when you resubmit.")),
    "withdrawn": ("info", N_("The application is withdrawn.")),
    "reapplied": (
        "success",
        N_("A new draft is made from the rejected application, with the same content and documents."),
    ),
    "check_started": ("success", N_("The document check has started.")),
    "supplement_requested": ("success", N_("The supplement request is sent to the supplier.")),
    "accepted": ("success", N_("The application is accepted (접수완료).")),
    "review_started": ("success", N_("The expert review has started.")),
    "opinions_saved": ("success", N_("The expert opinions are saved.")),
    "sent_to_committee": ("success", N_("The application is sent to the committee.")),
    "moved": ("success", N_("The application moves to the committee of the chosen month.")),
    "published": ("success", N_("The service is registered and published in the catalog.")),
    "round_created": ("success", N_("The committee round is created and its members are notified.")),
    "round_closed": ("success", N_("The round is closed and its decisions are recorded.")),
    "declared": ("success", N_("Your declaration is recorded. You can now review the application.")),
    "declared_relation": ("info", N_("Your declaration is recorded. You are excluded from this application.")),
    "votes_saved": ("success", N_("Your votes are saved. You can change them until the round is closed.")),
}

#: The titles of the history's steps (the state reached, or what happened).
EVENT_LABELS: dict[str, Text] = {
    "create": N_("Draft created"),
    "moved_to_round": N_("Moved to another committee month"),
    "carried_over": N_("Carried over to the next committee month"),
}

#: The form's steps.
STEPS: tuple[tuple[int, Text], ...] = (
    (1, N_("Basic information")),
    (2, N_("Operation and security")),
    (3, N_("Price plans")),
    (4, N_("Documents")),
    (5, N_("Review and submit")),
)
STEP_LABELS = dict(STEPS)
STEP_FIELDS: dict[int, tuple[str, ...]] = {
    1: ("type", "category_id", "name", "summary", "description", "features", "keywords"),
    2: (
        "deployment",
        "data_centre_location",
        "sla_availability",
        "support_hours",
        "data_return_policy",
        "csap_grade",
        "csap_certificate_number",
        "csap_valid_until",
        "csap_underlying_iaas",
    ),
}
PLAN_FIELDS = ("name", "billing", "unit", "unit_price", "vat_included", "min_term_months")
PLAN_ROWS_EXTRA = 2

#: What an operator can ask to be supplemented besides each document: the main groups of fields.
SUPPLEMENT_GROUPS: dict[str, tuple[Text, int]] = {
    "basic": (N_("Basic information (type, category, name, description, features)"), 1),
    "operation": (N_("Operation (deployment, data centre, SLA, support hours, data return)"), 2),
    "csap": (N_("Cloud security certificate (CSAP)"), 2),
    "price_plans": (N_("Price plans"), 3),
}

STATE_BADGES = {
    State.DRAFT: "gray",
    State.SUBMITTED: "information",
    State.DOCUMENT_CHECK: "information",
    State.SUPPLEMENT_REQUESTED: "warning",
    State.ACCEPTED: "primary",
    State.EXPERT_REVIEW: "secondary",
    State.COMMITTEE: "secondary",
    State.SELECTED: "success",
    State.REJECTED: "danger",
    State.WITHDRAWN: "gray",
    State.PUBLISHED: "success",
}


def common_context() -> dict:
    """Labels and formatters every selection template may use."""
    return {
        "state_labels": STATE_LABELS,
        "state_badges": STATE_BADGES,
        "type_labels": TYPE_LABELS,
        "document_labels": DOCUMENT_LABELS,
        "deployment_labels": DEPLOYMENT_LABELS,
        "billing_labels": BILLING_LABELS,
        "criterion_labels": CRITERION_LABELS,
        "role_labels": ROLE_LABELS,
        "event_labels": EVENT_LABELS,
        "step_labels": STEP_LABELS,
        "supplement_groups": SUPPLEMENT_GROUPS,
        "kst_date": kst_date,
        "file_size": file_size,
        "won": won,
    }


def show(request: Request, template: str, context: dict, *, actor: Actor, status: int = 200):
    """Render a selection page with its notice (``?notice=``) and the shared labels."""
    ctx = {**common_context(), **context}
    return render(request, template, ctx, actor=actor, status_code=status, notices=NOTICES)


def category_labels(session) -> dict[int, str]:
    locale = i18n.current_locale.get()
    return {c.id: c.label(locale) for c in catalog.categories(session)}


def category_groups(session) -> list[tuple[Text, list[tuple[str, str]]]]:
    """The categories as option groups, one per service type."""
    locale = i18n.current_locale.get()
    groups: dict[str, list[tuple[str, str]]] = {}
    for category in catalog.categories(session):
        groups.setdefault(category.type, []).append((str(category.id), category.label(locale)))
    return [(TYPE_LABELS[t], groups[t]) for t in TYPE_LABELS if t in groups]


def step_of(key: str) -> int | None:
    """The step of the form where the field named by an error or problem key is filled in."""
    head = key.split(".", 1)[0]
    for number, names in STEP_FIELDS.items():
        if head in names:
            return number
    if head == "price_plans":
        return 3
    if head == "documents":
        return 4
    return None


def problem_link(application_id: int, key: str) -> str | None:
    step = step_of(key)
    if step is None:
        return None
    if key.startswith("documents."):
        return f"/supplier/applications/{application_id}/steps/4#doc-{key.split('.', 1)[1]}"
    return f"/supplier/applications/{application_id}/steps/{step}#field-{key}"


def supplement_items(application) -> list[dict]:
    """The items of the last supplement request: a label, the reason, and the step that fixes it."""
    items = []
    for key, reason in history.asked_supplement(application).items():
        if key in SUPPLEMENT_GROUPS:
            label, step = SUPPLEMENT_GROUPS[key]
            anchor = ""
        elif key in DOCUMENT_LABELS:
            label, step, anchor = DOCUMENT_LABELS[key], 4, f"#doc-{key}"
        else:
            label, step, anchor = Text(key), step_of(key), f"#field-{key}"
        href = f"/supplier/applications/{application.id}/steps/{step}{anchor}" if step else None
        items.append({"key": key, "label": label, "reason": reason, "href": href, "step": step})
    return items


def service_code(application) -> str | None:
    """The public code of the service an application became, from its publication step."""
    event = next((e for e in reversed(application.events) if e.action == Action.PUBLISH), None)
    return (event.details or {}).get("service_code") if event else None


def steps_view(application, timeline: list[dict]) -> list[dict]:
    """The history as the pages show it: newest last, with the title of each step."""
    steps = []
    for step in timeline:
        action = step["action"]
        title = EVENT_LABELS.get(action) or STATE_LABELS.get(step["to_state"]) or Text(action)
        reason = step["reason"]
        if action == "carried_over" and reason:
            reason = i18n.gettext(reason)
        if action == Action.REQUEST_SUPPLEMENT:
            reason = None  # shown item by item from the details
        steps.append({**step, "title": title, "reason": reason, "open": application.state in OPEN_STATES})
    return steps


# --- the step plan of an application ----------------------------------------------------------------------


def content_values(content: dict) -> dict[str, str]:
    """The stored content as the text the form's inputs show."""
    values = {}
    for name in STEP_FIELDS[1] + STEP_FIELDS[2]:
        value = content.get(name)
        values[name] = "" if value is None else str(value)
    values["features"] = "\n".join(content.get("features") or [])
    values["keywords"] = "\n".join(content.get("keywords") or [])
    return values


def plan_rows(plans: list[dict]) -> list[dict]:
    rows = [
        {
            "name": p.get("name") or "",
            "billing": p.get("billing") or "",
            "unit": p.get("unit") or "",
            "unit_price": "" if p.get("unit_price") is None else str(p.get("unit_price")),
            "vat_included": bool(p.get("vat_included")),
            "min_term_months": "" if p.get("min_term_months") is None else str(p.get("min_term_months")),
            "main": bool(p.get("main")),
        }
        for p in plans
    ]
    if rows and not any(row["main"] for row in rows):
        rows[0]["main"] = True  # 대표 요금제: the first plan unless another is chosen
    blank = {
        "name": "",
        "billing": "",
        "unit": "",
        "unit_price": "",
        "vat_included": False,
        "min_term_months": "",
        "main": False,
    }
    while len(rows) < min(len(plans) + PLAN_ROWS_EXTRA, MAX_PLANS):
        rows.append(dict(blank))
    return rows


def posted_plan_rows(form: dict[str, str]) -> list[dict]:
    try:
        count = min(int(form.get("plan_rows") or 0), MAX_PLANS)
    except ValueError:
        count = 0
    rows = []
    for index in range(max(count, 0)):
        row = {name: (form.get(f"plan-{index}-{name}") or "").strip() for name in PLAN_FIELDS}
        row["vat_included"] = bool(form.get(f"plan-{index}-vat_included"))
        row["main"] = form.get("main_plan") == str(index)
        rows.append(row)
    return rows


def changes_from_form(step: int, form: dict[str, str]) -> tuple[dict, list[int]]:
    """What a step's form changes, and for price plans the form row of each plan sent."""
    if step in STEP_FIELDS:
        return {name: form.get(name, "") for name in STEP_FIELDS[step]}, []
    rows = posted_plan_rows(form)
    kept = [(i, r) for i, r in enumerate(rows) if r["name"] or r["unit_price"]]
    plans = [{**row, "vat_included": row["vat_included"]} for _, row in kept]
    return {"price_plans": plans}, [i for i, _ in kept]


def step_errors(errors: dict[str, str], step: int, rows: list[int]) -> dict[str, str]:
    """Errors placed next to this step's fields; a plan's errors next to the row it was typed in."""
    placed = {}
    for key, message in errors.items():
        parts = key.split(".")
        if step == 3 and parts[0] == "price_plans" and len(parts) >= 2 and parts[1].isdecimal():
            index = int(parts[1])
            row = rows[index] if index < len(rows) else index
            placed[".".join(["price_plans", str(row), *parts[2:]])] = message
        elif key.startswith("_") or step_of(key) == step or (step == 3 and key == "price_plans"):
            placed[key] = message
        else:
            other = step_of(key)
            prefix = f"{STEP_LABELS[other].render()}: " if other else ""
            placed[f"_{key}"] = prefix + message
    return placed
