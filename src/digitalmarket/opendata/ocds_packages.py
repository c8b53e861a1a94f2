"""OCDS release packages and records: releases and compiled releases as the API and the bulk export
publish them, under the publisher's name. No I/O."""

from __future__ import annotations

from datetime import datetime

from .ocds import when

PUBLISHER = "디지털서비스 마켓"


def publisher(base_url: str) -> dict:
    return {"name": PUBLISHER, "uri": base_url}


def release_package(uri: str, base_url: str, published: datetime, releases: list[dict]) -> dict:
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": when(published),
        "publisher": publisher(base_url),
        "releases": releases,
    }


def record(ocid_: str, releases: list[dict], compiled: dict) -> dict:
    return {"ocid": ocid_, "releases": releases, "compiledRelease": compiled}


def record_package(uri: str, base_url: str, published: datetime, records: list[dict]) -> dict:
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": when(published),
        "publisher": publisher(base_url),
        "records": records,
    }
