"""The Korean analyzer of catalog search: pure unit tests (Kiwi, no database)."""

from __future__ import annotations

import json
import threading

import pytest

from digitalmarket.search import analyzer
from digitalmarket.search.analyzer import (
    FIELD_WEIGHTS,
    chosung,
    chosung_matches,
    fts5_match,
    index_terms,
    index_terms_many,
    is_chosung_query,
    query_terms,
    weighted_query_terms,
)
from digitalmarket.search.hangul import edit_distance, jamo_distance
from digitalmarket.search.synonyms import load_groups, parse_groups, parse_nouns
from digitalmarket.search.typos import typo_candidates, with_typo_corrections
from tests.conftest import shared_dir


def matches(query: str, text: str) -> bool:
    """True when every concept of the query has an alternative found, as a phrase, in the text's terms."""
    terms = index_terms(text)
    joined = " " + " ".join(terms) + " "
    return all(any(f" {phrase} " in joined for phrase in concept) for concept in query_terms(query))


# --- morphology --------------------------------------------------------------------------------


def test_particles_and_endings_are_stripped():
    terms = index_terms("민원 응대를 자동으로 해주는 서비스")
    assert terms[:3] == ["민원", "응대", "자동"]
    assert not {"를", "으로", "해주는", "하", "주", "는"} & set(terms)


def test_verb_stems_are_kept_without_endings():
    assert "옮기" in index_terms("클라우드로 옮기기 전에")
    assert matches("시스템을 옮기는", "레거시 시스템 옮기기")


def test_english_is_lower_cased_and_numbers_kept():
    terms = index_terms("Kubernetes 기반 K8s 클러스터, 가용성 99.9% SLA")
    assert {"kubernetes", "k8s", "99.9", "sla"} <= set(terms)
    assert all(term == term.lower() for term in terms)


def test_english_and_korean_written_together():
    terms = index_terms("웹GIS와 AI기반 분석")
    assert {"웹", "gis", "웹gis", "ai", "기반"} <= set(terms)
    assert matches("GIS", "웹GIS 서비스")
    assert matches("ai 기반", "AI기반 분석")


def test_noun_suffix_is_dropped_from_the_part_and_kept_as_an_extra_form():
    terms = index_terms("데이터를 시각화하고")
    assert "시각" in terms and "시각화" in terms
    assert matches("비식별화", "개인정보 비식별 조치")


# --- compounds and spacing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("화상회의", "화상 회의를 지원합니다"),
        ("화상 회의", "화상회의 솔루션"),
        ("전자결재", "전자 결재시스템"),
        ("재해 복구", "재해복구 센터"),
        ("공간 정보", "공간정보 플랫폼"),
    ],
)
def test_compounds_match_written_together_and_apart(query, text):
    assert matches(query, text)


def test_parts_come_first_in_order_and_joined_compounds_after():
    terms = index_terms("화상회의 시스템")
    assert terms[:3] == ["화상", "회의", "시스템"]
    assert "화상회의" in terms[3:]


@pytest.mark.parametrize("text", ["화상회 의 시스템", "전자결재시스 템"])
def test_spacing_errors_inside_a_word_are_tolerated(text):
    joined = "".join(text.split())
    assert index_terms(text)[:3] == index_terms(joined)[:3]


def test_a_compound_query_is_one_concept_with_phrase_and_joined_forms():
    concepts = query_terms("개인정보 보호")
    assert concepts[0][:2] == ["개인 정보", "개인정보"]


# --- synonyms ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("AI", "인공지능 기반 문서 분류"),
        ("인공지능", "AI 챗봇"),
        ("챗봇", "Chatbot 상담"),
        ("chatbot", "채팅봇으로 응대"),
        ("화상회의", "영상회의 서비스"),
        ("화상 회의", "비대면 회의 솔루션"),
        ("VDI", "가상 데스크톱 서비스"),
        ("가상데스크톱", "VDI 구축"),
        ("전자결재", "결재 문서"),
        ("월급", "급여 관리"),
        ("GIS", "지리정보시스템"),
        ("재해복구", "DR 센터 구축"),
    ],
)
def test_synonyms_are_applied_at_query_time(query, text):
    assert matches(query, text)


def test_synonyms_are_not_applied_to_the_index():
    assert "영상회의" not in index_terms("화상회의")
    assert "인공지능" not in index_terms("AI")


def test_unrelated_words_do_not_match():
    assert not matches("전자결재", "전자계약 서비스")
    assert not matches("화상회의", "문서 관리")


def test_synonym_file_format():
    lines = ["# comment", "", "a = b = c  # trailing", "lonely", "+ 도커 스토리지", "x = y"]
    assert parse_groups(lines) == [["a", "b", "c"], ["x", "y"]]
    assert parse_nouns(lines) == ["도커", "스토리지"]


def test_every_one_word_synonym_term_analyses_into_nouns():
    """Tells the editor of synonyms.txt which loanword needs a + line (Kiwi would break it)."""
    kiwi = analyzer.kiwi()
    nouns = {"NNG", "NNP", "NR", "XR", "SH", "XPN", "XSN"}
    terms = sorted({term for group in load_groups() for term in group if analyzer._HANGUL_WORD.fullmatch(term)})
    broken = [term for term in terms if not {t.tag.split("-")[0] for t in kiwi.tokenize(term)} <= nouns]
    assert broken == []


def test_generic_words_are_dropped_when_something_else_is_left():
    assert query_terms("DR 서비스")[0][0] == "dr"
    assert len(query_terms("DR 서비스")) == 1
    assert query_terms("서비스") == [["서비스"]]


def test_weighted_concepts_put_the_query_words_first():
    concept = weighted_query_terms("화상 회의")[0]
    assert concept.alternatives[0] == ("화상 회의", 1.0)
    assert all(weight < 1.0 for phrase, weight in concept.alternatives if phrase.startswith("영상"))
    optional = [c.text for c in weighted_query_terms("화상 회의") if c.optional]
    assert optional == ["화상", "회의"]
    assert ["화상"] not in query_terms("화상 회의")


def test_fts5_match_quotes_phrases():
    assert fts5_match(["화상 회의", 'a"b']) == '"화상 회의" OR "a""b"'


# --- 초성 ----------------------------------------------------------------------------------------


def test_chosung_of_a_name():
    assert chosung("화상회의") == "ㅎㅅㅎㅇ"
    assert chosung("이음 화상회의") == "ㅇㅇㅎㅅㅎㅇ"
    assert chosung("K8s 관리") == "k8sㄱㄹ"


def test_chosung_query_detection():
    assert is_chosung_query("ㅎㅅㅎㅇ")
    assert is_chosung_query("ㅎㅅ ㅎㅇ")
    assert not is_chosung_query("ㅎ")
    assert not is_chosung_query("화상회의")
    assert not is_chosung_query("ㅎㅅ회의")
    assert query_terms("ㅎㅅㅎㅇ") == []


def test_chosung_matches_names():
    assert chosung_matches("ㅎㅅㅎㅇ", "이음 화상회의")
    assert chosung_matches("ㅎㅅ ㅎㅇ", "화상 회의실")
    assert chosung_matches("화ㅅ회ㅇ", "이음 화상회의")
    assert not chosung_matches("ㅎㅅㅎㅇ", "영상회의")
    assert not chosung_matches("ㅎㅇㅅㅎ", "이음 화상회의")


# --- one typo ------------------------------------------------------------------------------------


VOCABULARY = ["클라우드", "백업", "쿠버네티스", "kubernetes", "데이터베이스", "클라우드서버", "화상"]


def test_one_typo_is_corrected_for_words_of_four_or_more():
    assert typo_candidates("크라우드", VOCABULARY) == ["클라우드"]
    assert typo_candidates("쿠버네티쓰", VOCABULARY) == ["쿠버네티스"]
    assert typo_candidates("kubernetse", VOCABULARY) == ["kubernetes"]
    assert typo_candidates("데이터베이", VOCABULARY) == ["데이터베이스"]


def test_a_short_word_is_corrected_one_jamo_away_and_two_typos_are_not():
    assert typo_candidates("백엽", VOCABULARY) == ["백업"]  # 2 syllables: one jamo (ㅕ for ㅓ)
    assert typo_candidates("벡업", VOCABULARY) == ["백업"]
    assert typo_candidates("박엽", VOCABULARY) == []  # two jamo off
    assert typo_candidates("백", VOCABULARY) == []  # one syllable: too short to guess
    assert typo_candidates("백업서", VOCABULARY) == []  # a syllable more is another word, not a typo
    assert typo_candidates("크라우더", VOCABULARY) == []
    assert typo_candidates("클라우드", VOCABULARY) == []


def test_an_abbreviation_is_corrected_letter_by_letter_and_the_common_word_wins_a_tie():
    assert typo_candidates("VID", ["vdi", "vpn", "video"]) == ["vdi"]  # two letters swapped
    assert typo_candidates("cnd", ["and", "cdn"]) == ["cdn", "and"]  # a swap before a replacement
    held = {"서버": 40, "서부": 2}
    assert typo_candidates("써버", list(held), held.get) == ["서버"]
    assert typo_candidates("서보", list(held), held.get) == ["서버", "서부"]  # as near: more services hold 서버


def test_closest_in_jamo_comes_first():
    assert typo_candidates("클라우트", ["클라우드", "클라우스"]) == ["클라우드", "클라우스"]
    assert jamo_distance("크라우드", "클라우드") == 1
    assert edit_distance("ab", "ba") == 1


def test_typo_corrections_are_added_only_to_concepts_that_cannot_match():
    vocabulary = set(VOCABULARY)
    concepts = with_typo_corrections(weighted_query_terms("크라우드 백업"), vocabulary)
    first = dict(concepts[0].alternatives)
    assert first["클라우드"] < 1.0
    assert [phrase for phrase, _ in concepts[1].alternatives if phrase == "클라우드"] == []


MANY_TEXTS = [
    "화상회의 서비스를",
    "",
    "K8s 기반 데이터 시각화",
    "화상회의 서비스를",
    "  ",
    "민원 응대를 자동으로 해주는",
    "비식별 처리와 ＯＣＲ 문서 인식, https://example.go.kr 안내",
    "클라우드 네이티브 전환 컨설팅 (MSA·CI/CD)",
    "도커 컨테이너 이미지를 옮기고 바꾸는 화 상 회의",
    "(주)가상소프트",
]


def test_many_texts_at_once_give_each_text_its_own_terms():
    texts = MANY_TEXTS + _dev_texts()
    many = index_terms_many(texts)
    assert many == [index_terms(text) for text in texts]
    many[0].append("changed")  # each text's list is its own, even for a repeated text
    assert many[3] == index_terms(texts[3])
    assert index_terms_many([]) == [] and index_terms_many(iter(["백업"])) == [["백업"]]


def _dev_texts() -> list[str]:
    """Every text of the judged dev sample's services, when the shared sample is next to the checkout."""
    path = shared_dir() / "data" / "search-dev" / "services.jsonl"
    if not path.exists():
        return []
    texts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            service = json.loads(line)
            texts += [service["name"], service["summary"], service["description"]]
            texts += service.get("features") or []
            texts += service.get("keywords") or []
    return texts


# --- field weights and the Kiwi instance ---------------------------------------------------------


def test_field_weights_order():
    w = FIELD_WEIGHTS
    assert set(w) == {"name", "keywords", "features", "category", "summary", "description", "supplier"}
    assert w["name"] > w["keywords"] >= w["features"] > w["summary"] > w["description"] > w["supplier"] > 0
    assert w["keywords"] == w["features"] == w["category"]


def test_kiwi_is_loaded_once_across_threads():
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(id(analyzer.kiwi()))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(seen)) == 1
