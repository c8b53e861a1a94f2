"""Small catalogs for the search tests, imported as an operator imports one (`catalog.importer`)."""

from __future__ import annotations

from digitalmarket.catalog.importer import import_files
from tests.catalog.test_import import GOOD, _write


def service(ref, name, summary, keywords, category="협업·그룹웨어", type="SaaS", **fields) -> dict:
    """A service of the import format that says ``summary`` (as its description too) and lists ``keywords``
    and no features; any other field of ``GOOD`` may be given."""
    return {
        **GOOD,
        "ref": ref,
        "name": name,
        "type": type,
        "category": category,
        "summary": summary,
        "description": summary,
        "features": [],
        "keywords": keywords,
        **fields,
    }


def imported(db, tmp_path, services, file="catalog.jsonl"):
    """``db`` with ``services`` imported into it, none refused."""
    report = import_files(db.transaction, [_write(tmp_path, file, services)])
    assert report.problems == []
    return db
