"""Catalog import: services already selected elsewhere, one JSON object a line (DOMAIN.md's format).

Every line is checked first; a file with a bad line imports nothing unless ``skip_invalid`` is given, and
each bad line is reported with its file, line number and reason. Suppliers are matched (or registered)
by business number. A ``ref`` seen before updates that service instead of adding another. Imported
services are published at once, with an audit event naming the import.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts import registration
from ..accounts.rules import is_valid_business_number
from ..accounts.tables import Organisation
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import DomainError
from ..core.ids import next_codes
from .content_rules import IMPORT_PROFILE, CategoryRef, clean_content
from .queries import category_refs, services_by_ref
from .rules import ServiceType
from .tables import Category, Service
from .workflow import (
    new_service,
    published_event,
    refuse_type_change,
    rewrite_content,
    updated_event,
)

REQUIRED_KEYS = ("ref", "name", "type", "category", "supplier", "summary", "description", "price_plans")
CHUNK = 200
"""Lines written together: their suppliers and services looked up and inserted, their audit events
appended, each at once (so search, which follows the events, analyses their texts together)."""


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class Line:
    file: str
    number: int
    ref: str
    content: dict
    supplier: dict


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)


def _explain(error: DomainError) -> str:
    fields = "; ".join(f"{name}: {text.render('en')}" for name, text in error.fields.items())
    return fields or error.message.render("en")


def parse_line(raw: str, file: str, number: int, categories: dict[tuple[str, str], int]) -> Line | Problem:
    """One line as content ready for the catalog, or the reason it cannot be imported."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        return Problem(file, number, f"invalid JSON ({error.msg})")
    if not isinstance(data, dict):
        return Problem(file, number, "a line must be a JSON object")
    missing = [key for key in REQUIRED_KEYS if data.get(key) in (None, "", [])]
    if missing:
        return Problem(file, number, f"missing field(s): {', '.join(missing)}")
    kind = data["type"]
    if kind not in set(ServiceType):
        return Problem(file, number, f"unknown type {kind!r} (IaaS, PaaS, SaaS, SUPPORT or CONVERGENCE)")
    category_id = categories.get((kind, str(data["category"]).strip()))
    if category_id is None:
        return Problem(file, number, f"unknown category {data['category']!r} for type {kind}")
    supplier = data["supplier"] if isinstance(data["supplier"], dict) else {}
    csap = data.get("csap") or {}
    if not isinstance(csap, dict):
        return Problem(file, number, "csap must be an object or null")
    content = {
        "type": kind,
        "category_id": category_id,
        "name": data["name"],
        "summary": data["summary"],
        "description": data["description"],
        "features": data.get("features") or [],
        "keywords": data.get("keywords") or [],
        "deployment": data.get("deployment"),
        "sla_availability": None if data.get("sla_availability") is None else str(data["sla_availability"]),
        "support_hours": data.get("support_hours") or "",
        "data_return_policy": data.get("data_return_policy") or "",
        "data_centre_location": data.get("data_centre_location") or "",
        "csap_grade": csap.get("grade"),
        "csap_valid_until": csap.get("valid_until"),
        "csap_certificate_number": csap.get("certificate_number"),
        "csap_underlying_iaas": csap.get("underlying_iaas"),
        "price_plans": data["price_plans"],
    }
    return Line(file, number, str(data["ref"]), content, supplier)


def _check(session: Session, line: Line, categories: dict[int, CategoryRef] | None = None) -> Problem | None:
    """Everything the catalog will refuse, found before anything is written."""
    try:
        categories = category_refs(session) if categories is None else categories
        clean_content(line.content, categories, today_kst(), complete=True, profile=IMPORT_PROFILE)
        number = str(line.supplier.get("business_number", ""))
        if not is_valid_business_number(number):
            return Problem(line.file, line.number, f"invalid business number {number!r}")
        if not str(line.supplier.get("name", "")).strip():
            return Problem(line.file, line.number, "missing supplier name")
    except DomainError as error:
        return Problem(line.file, line.number, _explain(error))
    return None


def read_file(session: Session, path: Path) -> tuple[list[Line], list[Problem]]:
    categories = {(c.type, c.name_ko): c.id for c in session.scalars(select(Category))}
    refs = category_refs(session)
    lines, problems, seen = [], [], {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [], [Problem(str(path), 0, f"cannot read the file ({error})")]
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        parsed = parse_line(raw, path.name, number, categories)
        if isinstance(parsed, Line):
            problem = _check(session, parsed, refs) or (
                Problem(path.name, number, f"ref {parsed.ref!r} already on line {seen[parsed.ref]}")
                if parsed.ref in seen
                else None
            )
            if problem is None:
                seen[parsed.ref] = number
                lines.append(parsed)
                continue
            parsed = problem
        problems.append(parsed)
    return lines, problems


def apply(
    session: Session,
    lines: list[Line],
    actor_user_id: int | None,
    file: str,
    report: ImportReport,
    progress: Callable[[], None] | None = None,
) -> None:
    """Publish (or update, by ref) every checked line, inside the caller's transaction.

    The outcome is that of matching or registering each line's supplier (`register_supplier`) and then
    calling `publish` or `replace_content`, line after line: the same codes, rows, index terms and
    audit events, in the same order, and the same error for the first line that fails. The lines are
    written `CHUNK` at a time, since one service at a time spends most of its time on round trips
    to the database and on analysing short texts one by one.
    """
    categories = category_refs(session)
    suppliers: dict[str, Organisation] = {}
    for start in range(0, len(lines), CHUNK):
        chunk = lines[start : start + CHUNK]
        _apply_chunk(session, chunk, actor_user_id, f"import:{file}", report, categories, suppliers)
        if progress:
            for _ in chunk:
                progress()


@dataclass
class _Step:
    """What one line does: its checked content, supplier and service (new or the one with its ref)."""

    line: Line
    number: str
    clean: dict
    existing: Service | None
    supplier: Organisation | None = None
    registered: bool = False
    service: Service | None = None
    before: dict | None = None


def _apply_chunk(
    session: Session,
    lines: list[Line],
    actor_user_id: int | None,
    origin: str,
    report: ImportReport,
    categories: dict[int, CategoryRef],
    suppliers: dict[str, Organisation],
) -> None:
    existing = services_by_ref(session, [line.ref for line in lines])
    steps = []
    for line in lines:  # every check first, in the order the line-by-line import makes them
        supplier = line.supplier
        number = registration.supplier_number(
            str(supplier["business_number"]), str(supplier["name"]), str(supplier.get("size") or "sme")
        )
        clean = clean_content(line.content, categories, today_kst(), complete=True, profile=IMPORT_PROFILE)
        step = _Step(line, number, clean, existing.get(line.ref))
        if step.existing is not None:
            refuse_type_change(step.existing, clean)
        steps.append(step)

    suppliers.update(registration.suppliers_by_number(session, [s.number for s in steps if s.number not in suppliers]))
    for step in steps:
        step.supplier = suppliers.get(step.number)
        if step.supplier is None:
            supplier = step.line.supplier
            step.supplier = registration.new_supplier(
                step.number, str(supplier["name"]), str(supplier.get("size") or "sme")
            )
            step.registered = True
            suppliers[step.number] = step.supplier
            session.add(step.supplier)
    session.flush()

    year = today_kst().year
    wanted: dict[str, int] = {}
    for step in steps:
        if step.existing is None:
            prefix = ServiceType(step.clean["type"]).code
            wanted[prefix] = wanted.get(prefix, 0) + 1
    codes = {prefix: iter(next_codes(session, prefix, year, count)) for prefix, count in wanted.items()}
    for step in steps:
        if step.existing is None:
            step.service = new_service(
                step.clean,
                code=next(codes[ServiceType(step.clean["type"]).code]),
                supplier_id=step.supplier.id,
                origin=origin,
                ref=step.line.ref,
            )
            session.add(step.service)
        else:
            step.service = step.existing
            step.service.supplier = step.supplier  # the relationship, so the index names the new supplier
            step.before = rewrite_content(step.service, step.clean)
    session.flush()

    events = []
    for step in steps:
        if step.registered:
            events.append(registration.supplier_registered(actor_user_id, step.supplier))
        if step.existing is None:
            events.append(published_event(actor_user_id, step.service, origin))
            report.created += 1
        else:
            events.append(updated_event(actor_user_id, step.service, origin, step.before))
            report.updated += 1
    audit.record_many(session, events)


def import_files(
    transaction: Callable[[], object],
    paths: list[Path],
    *,
    skip_invalid: bool = False,
    actor_user_id: int | None = None,
    progress: Callable[[], None] | None = None,
) -> ImportReport:
    """Import each file in its own transaction: all of it, or (with a bad line) none of it."""
    report = ImportReport()
    for path in paths:
        with transaction() as session:
            lines, problems = read_file(session, path)
            report.problems.extend(problems)
            if problems and not skip_invalid:
                report.skipped_files.append(str(path))
                continue
            apply(session, lines, actor_user_id, path.name, report, progress)
    return report


def count_lines(paths: list[Path]) -> int:
    return sum(sum(1 for raw in _lines(p) if raw.strip()) for p in paths)


def _lines(path: Path) -> Iterator[str]:
    try:
        with path.open(encoding="utf-8") as handle:
            yield from handle
    except (OSError, UnicodeDecodeError):
        return
