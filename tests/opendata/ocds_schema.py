"""Validation against the official OCDS 1.1.5 schema files in shared/ocds, offline: their ``$ref`` URLs
are mapped to the local files, and the closed code lists are checked as the schema enumerates them."""

from __future__ import annotations

import json
from functools import lru_cache

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.conftest import shared_dir

BASE = "https://standard.open-contracting.org/schema/1__1__5/"
FILES = ("release-schema.json", "release-package-schema.json", "record-package-schema.json")


@lru_cache(maxsize=1)
def _schemas() -> dict[str, dict]:
    folder = shared_dir() / "ocds"
    return {name: json.loads((folder / name).read_text(encoding="utf-8")) for name in FILES}


@lru_cache(maxsize=1)
def _registry() -> Registry:
    resources = [(BASE + name, Resource.from_contents(schema, DRAFT4)) for name, schema in _schemas().items()]
    return Registry().with_resources(resources)


def validator(name: str) -> Draft4Validator:
    return Draft4Validator(_schemas()[name], registry=_registry(), format_checker=FormatChecker())


def problems(name: str, data: dict) -> list[str]:
    found = sorted(validator(name).iter_errors(data), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


def assert_valid(name: str, data: dict) -> None:
    found = problems(name, data)
    assert found == [], "\n".join(found[:20])


def release_schema() -> dict:
    return _schemas()["release-schema.json"]
