"""Precision: a service that shares only a common word with a query (클라우드), even in its name, stays
below the services that hold what the query is about (보안관제, or at least 보안 or 관제)."""

from __future__ import annotations

import pytest

from tests.catalog.test_import import GOOD
from tests.search.catalogs import imported


def _service(ref, name, summary, keywords, category="협업·그룹웨어"):
    return {**GOOD, "ref": ref, "name": name, "summary": summary, "description": summary, "keywords": keywords}


STREET_LIGHT = "스마트 가로등 클라우드"
SERVICES = [
    _service("p-01", "가온 보안관제", "기관 시스템을 24시간 보안관제하는 서비스", ["보안관제", "SOC"]),
    _service("p-02", "한결 통합 보안 관제 센터", "보안 관제와 침해 대응", ["관제센터", "침해대응"]),
    _service("p-03", "다온 클라우드 보안 컨설팅", "클라우드 보안 점검과 컨설팅", ["보안 컨설팅"]),
    _service("p-04", "가온 웹방화벽", "홈페이지 보안을 지키는 방화벽", ["웹방화벽", "보안"]),
    _service("p-05", STREET_LIGHT, "가로등 점등을 원격으로 켜고 끄는 클라우드", ["가로등", "클라우드", "조명"]),
    _service("p-06", "한결 데이터 백업", "데이터를 백업", ["백업"]),
    _service("p-07", "다온 가상 서버", "가상 서버", ["서버"]),
    _service("p-08", "가온 교통 관제", "교차로 신호를 관제", ["교통", "신호 관제"]),
    _service("p-09", "한결 화상회의", "영상 회의 서비스", ["화상회의"]),
    _service("p-10", "다온 웹메일", "기관 전자우편", ["메일"]),
    # as in any cloud marketplace, many services say 클라우드
    *(_service(f"p-{n}", f"가온 업무 도구 {n}", "클라우드 기반 업무 도구", ["업무"]) for n in range(11, 17)),
    *(_service(f"p-{n}", f"한결 업무 도구 {n}", "기관 업무 도구", ["업무"]) for n in range(17, 23)),
]


@pytest.fixture
def catalog(db, tmp_path):
    return imported(db, tmp_path, SERVICES, "precision.jsonl")


def test_a_street_light_controller_is_not_among_the_first_for_cloud_security_monitoring(catalog, client):
    response = client.get("/api/v1/services", params={"q": "클라우드 보안관제"})
    assert response.status_code == 200, response.text
    names = [item["name"] for item in response.json()["items"]]
    assert names[:2] == ["가온 보안관제", "한결 통합 보안 관제 센터"]
    assert STREET_LIGHT in names and STREET_LIGHT not in names[:5]
    assert names.index(STREET_LIGHT) > names.index("가온 교통 관제")  # below a service holding 관제 only
