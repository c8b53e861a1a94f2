"""The contract document: a PDF with the order's parties, lines, amounts and terms, in Korean, the same
bytes for the same document."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from digitalmarket.contracting.documents import font_cache, fonts, terms
from digitalmarket.contracting.documents.fonts import ContractFontMissing
from digitalmarket.contracting.documents.layout import contract_pdf
from digitalmarket.contracting.documents.terms import (
    Confirmation,
    ContractDocument,
    DocumentLine,
    Party,
    korean_amount,
)
from digitalmarket.contracting.money import amounts, line_amount

PLANS = [
    ("Standard 요금제", "사용자/월", "monthly", 12_000, 150, 12),
    ("스토리지 추가", "GB/월", "usage", 80, 500, 12),
    ("초기 구축 및 데이터 이관", "식", "fixed", 3_500_000, 1, 1),
]
POLICY = (
    "계약 종료 30일 전부터 관리자 화면에서 메일, 게시판, 전자결재 문서와 첨부파일을 모두 내려받을 수 있으며, "
    "요청하면 암호화된 외장 매체로도 제공한다."
)


def make_doc(n_lines: int = 3, **changes) -> ContractDocument:
    lines = []
    for number in range(n_lines):
        item, unit, billing, price, quantity, months = PLANS[number % len(PLANS)]
        lines.append(
            DocumentLine(
                item=f"{item} {number + 1}호",
                unit=unit,
                billing=billing,
                quantity=quantity,
                months=months,
                unit_price=price,
                amount=line_amount(billing, price, quantity, months),
            )
        )
    money = amounts(line.amount for line in lines)
    doc = ContractDocument(
        contract_number="ORD-2026-00012",
        change_seq=0,
        method="delivery_request",
        catalog_contract_number="CC-2026-00017",
        agency=Party("한국지능정보사회진흥원", "B551001", "황종성", "대구광역시 동구 첨단로 53"),
        supplier=Party("(주)가상소프트", "1208147521", "김가상", "서울특별시 강남구 테헤란로 123, 가상타워 15층"),
        service_name="가상 협업 그룹웨어 클라우드",
        service_code="SAS-2026-00042",
        lines=lines,
        supply_amount=money.supply,
        vat=money.vat,
        total=money.total,
        start_date=date(2026, 3, 1),
        end_date=date(2027, 2, 28),
        sla_availability="99.9",
        support_hours="평일 09:00~18:00",
        data_return_policy=POLICY,
        change_reason=None,
        issued_on=date(2026, 2, 20),
    )
    return dataclasses.replace(doc, **changes)


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Extracted text with its line breaks and runs of spaces as one space (wrapping moves them)."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def sample() -> tuple[ContractDocument, bytes, str]:
    doc = make_doc()
    pdf = contract_pdf(doc)
    return doc, pdf, flat(" ".join(pages_text(pdf)))


def test_it_is_a_pdf_with_its_creation_date_from_the_issue_date(sample):
    _, pdf, _ = sample
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info.creation_date.date() == date(2026, 2, 20)
    assert info.title == "디지털서비스 이용계약서 ORD-2026-00012"


def test_it_shows_the_title_number_date_parties_and_method(sample):
    _, _, text = sample
    assert "디지털서비스 이용계약서" in text
    assert "변경계약서" not in text
    assert "ORD-2026-00012" in text
    assert "2026년 2월 20일" in text
    for words in ("발주기관", "계약상대자", "한국지능정보사회진흥원", "B551001", "황종성", "(주)가상소프트", "김가상"):
        assert words in text
    assert "120-81-47521" in text  # the 사업자등록번호 written as usual
    assert "납품요구 (카탈로그 계약번호 CC-2026-00017)" in text
    assert "가상 협업 그룹웨어 클라우드 (SAS-2026-00042)" in text
    assert "2026년 3월 1일 ~ 2027년 2월 28일" in text
    assert "99.9% 이상" in text and "평일 09:00~18:00" in text


def test_it_shows_the_lines_and_the_amounts_with_separators_and_won(sample):
    doc, _, text = sample
    # 12,000 x 150 x 12 + 80 x 500 x 12 + 3,500,000 x 1 = 25,580,000; VAT 2,558,000; total 28,138,000
    assert (doc.supply_amount, doc.vat, doc.total) == (25_580_000, 2_558_000, 28_138_000)
    for heading in ("품목", "단위", "수량", "개월", "단가", "금액"):
        assert heading in text
    assert "Standard 요금제 1호 (월 과금) 사용자/월 150 12 12,000 21,600,000" in text
    assert "초기 구축 및 데이터 이관 3호 (정액) 식 1 - 3,500,000 3,500,000" in text
    assert "공급가액 25,580,000원" in text
    assert "부가가치세 (10%) 2,558,000원" in text
    assert "합계 28,138,000원" in text
    assert "금 이천팔백일십삼만팔천원정 (₩28,138,000, 부가가치세 포함)" in text


def signatures(text: str) -> str:
    return text[text.rindex("발주기관 계약상대자") :]


def test_it_has_the_data_return_clause_and_the_terms(sample):
    _, _, text = sample
    assert "데이터 반환 및 파기" in text
    assert flat(POLICY) in text
    assert "표준 형식" in text and "30일 이내" in text and "데이터 파기 확인서" in text
    for title in ("제1조 (계약의 목적)", "제2조 (대금 지급)", "제3조 (보안)", "제5조 (해지)"):
        assert title in text
    assert "변경 사유" not in text


def test_payment_is_due_five_working_days_after_a_valid_claim_made_after_inspection(sample):
    _, _, text = sample
    clause = text[text.index("제2조 (대금 지급)") : text.index("제3조 (보안)")]
    assert "검수를 받은 후 대금청구서를 제출한다" in clause
    assert "검수를 마친 뒤 적법한 대금청구를 받으면" in clause
    assert "청구를 받은 다음 날부터 세어 5근무일(토요일, 일요일 및 공휴일은 세지 아니한다) 이내에 대금을 지급" in clause
    assert "돌려보낸 날부터 다시 청구를 받은 날까지는 지급 기간에 넣지 아니한다" in clause
    assert "국가를 당사자로 하는 계약에 관한 법률 시행령 제58조" in clause
    assert "토요일 및 공휴일 제외" not in clause


def test_a_draft_prints_no_confirmation(sample):
    _, _, text = sample
    assert "전자적으로 확인함" not in text
    assert signatures(text).count("확인 전") == 2
    assert "양 당사자가 확인하기 전의 계약서안" in text
    assert "작성일자 2026년 2월 20일" in text and "계약일자" not in text


def test_a_party_s_confirmation_shows_its_time_in_korea_and_its_person_once_made():
    supplier = Confirmation(datetime(2026, 2, 20, 16, 5, tzinfo=UTC), "김영업")  # 21 Feb 01:05 in Korea
    one = flat(" ".join(pages_text(contract_pdf(make_doc(supplier_confirmation=supplier)))))
    assert signatures(one).count("전자적으로 확인함") == 1
    assert "확인 전 전자적으로 확인함 2026년 2월 21일 01:05 (KST)" in signatures(one)
    assert "확인자 김영업" in one
    assert "계약서안" in one  # not concluded until both have confirmed

    agency = Confirmation(datetime(2026, 2, 21, 9, 30, tzinfo=UTC), "정수요")
    both_pdf = contract_pdf(make_doc(agency_confirmation=agency, supplier_confirmation=supplier))
    both = flat(" ".join(pages_text(both_pdf)))
    assert signatures(both).count("전자적으로 확인함") == 2
    assert "2026년 2월 21일 18:30 (KST) 확인자 정수요" in both
    assert "2026년 2월 21일 01:05 (KST) 확인자 김영업" in both
    assert "확인 전" not in both and "계약서안" not in both
    assert "계약일자 2026년 2월 20일" in both


@pytest.mark.parametrize(
    ("side", "party", "missing"),
    [
        ("agency", Party("미래행정부", "1741000", "장미래", ""), "agency.address"),
        ("agency", Party("미래행정부", "1741000", None, "세종"), "agency.representative"),
        ("supplier", Party("(주)가상소프트", "1208147521", " ", "서울"), "supplier.representative"),
        ("supplier", Party("(주)가상소프트", "", "김가상", "서울"), "supplier.business_number_or_code"),
    ],
)
def test_a_party_detail_is_never_printed_as_a_dash(side, party, missing):
    with pytest.raises(ValueError, match=missing):
        contract_pdf(make_doc(**{side: party}))


def test_the_parties_rows_print_every_detail(sample):
    _, _, text = sample
    parties = text[text.index("계약 당사자") : text.index("계약 개요")]
    assert "기관명 / 상호 한국지능정보사회진흥원 (주)가상소프트" in parties
    assert "대표자 황종성 김가상" in parties
    assert "대구광역시 동구 첨단로 53" in parties and "서울특별시 강남구 테헤란로 123, 가상타워 15층" in parties
    assert " - " not in parties


def test_a_change_says_its_sequence_and_reason():
    reason = "사용자 증가에 따라 Standard 요금제 수량을 150명에서 200명으로 늘림."
    text = flat(" ".join(pages_text(contract_pdf(make_doc(change_seq=2, change_reason=reason)))))
    assert "디지털서비스 이용계약서 변경계약서 (제2차)" in text
    assert "변경차수 2" in text
    assert "변경 사유" in text and reason in text


def test_a_negotiated_contract_names_no_catalog_contract():
    text = flat(" ".join(pages_text(contract_pdf(make_doc(method="negotiated", catalog_contract_number=None)))))
    assert "계약방법 수의계약" in text
    assert "카탈로그 계약번호" not in text


def test_many_lines_break_across_pages_with_the_heading_repeated():
    few = PdfReader(io.BytesIO(contract_pdf(make_doc(3))))
    many_pdf = contract_pdf(make_doc(80))
    many = PdfReader(io.BytesIO(many_pdf))
    # layout: 3 lines and the terms fill 2 pages; 80 lines take about 30 a page, so 5 pages
    assert len(few.pages) == 2
    assert len(many.pages) == 5
    texts = pages_text(many_pdf)
    for number, text in enumerate(texts, start=1):
        assert f"ORD-2026-00012 {number} / {len(texts)}" in flat(text)  # the footer of every page
    with_lines = [text for text in texts if re.search(r"\d+호 \(", text)]
    assert len(with_lines) >= 3
    assert all("번호 품목 단위 수량 개월 단가 금액" in flat(text) for text in with_lines)
    everything = flat(" ".join(texts))
    positions = [everything.index(f" {number}호 (") for number in range(1, 81)]
    assert positions == sorted(positions)  # every line, once each, in order
    assert "합계 " + f"{make_doc(80).total:,}원" in everything


def test_long_texts_wrap_inside_the_page():
    long_name = "아주 긴 이름의 " * 30 + "클라우드 서비스"
    url = "https://example.go.kr/" + "a" * 300  # one word longer than a line
    doc = make_doc(
        service_name=long_name,
        data_return_policy=POLICY * 12 + " " + url,
        change_seq=1,
        change_reason="사유 " * 400,
        supplier=Party("(주)가상소프트", "1208147521", "김가상", url),
    )
    raw = "\n".join(pages_text(contract_pdf(doc)))
    text = flat(raw)
    assert flat(long_name) in text
    assert flat(POLICY * 12).strip() in text
    assert long_name not in raw  # it was broken into lines
    assert max(len(line) for line in raw.splitlines()) < 110  # and so was the URL
    assert text.replace(" ", "").count(url) == 2


def test_a_cell_longer_than_a_page_continues_on_the_next_rows():
    name = "가나 " * 1500  # about four pages in the supplier's column
    pdf = contract_pdf(make_doc(supplier=Party(name, "1208147521", "김가상", "서울")))
    texts = pages_text(pdf)
    assert len(texts) > 6
    assert " ".join(texts).count("가나") == 3000  # parties and signatures: nothing cut


def test_the_same_document_gives_the_same_bytes(sample):
    doc, pdf, _ = sample
    again = contract_pdf(make_doc())
    assert again == pdf
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(pdf).hexdigest()
    assert contract_pdf(dataclasses.replace(doc, issued_on=date(2026, 2, 21))) != pdf
    assert contract_pdf(dataclasses.replace(doc, change_seq=1)) != pdf


MAKE_IN_A_NEW_PROCESS = """
import hashlib, sys
sys.path.insert(0, sys.argv[1])
from tests.contracting.test_document import make_doc, Party
from digitalmarket.contracting.documents.layout import contract_pdf
supplier = Party(sys.argv[2], "1208147521", "김가상", "서울")
print(hashlib.sha256(contract_pdf(make_doc(supplier=supplier))).hexdigest())
"""


@pytest.mark.parametrize("supplier", ["(주)가상소프트", "쀍테크 주식회사"])
def test_a_document_has_the_same_bytes_whichever_process_makes_it_first_or_later(supplier):
    """Each process keeps fonts and the lines of the fixed texts: the first document a process makes (as
    a fresh worker does) is the same, byte for byte, as the one this process makes after many others."""
    doc = make_doc(supplier=Party(supplier, "1208147521", "김가상", "서울"))
    for _ in range(2):
        here = hashlib.sha256(contract_pdf(doc)).hexdigest()
    root = str(Path(__file__).resolve().parents[2])
    fresh = subprocess.run(
        [sys.executable, "-c", MAKE_IN_A_NEW_PROCESS, root, supplier], capture_output=True, text=True, check=True
    )
    assert fresh.stdout.strip() == here


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"vat": 1}, "vat"),
        ({"total": 1}, "vat"),
        ({"supply_amount": 1}, "sum of the lines"),
        ({"method": "tender"}, "method"),
        ({"catalog_contract_number": None}, "catalog contract"),
        ({"end_date": date(2026, 2, 1)}, "period"),
    ],
)
def test_figures_that_do_not_add_up_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        contract_pdf(make_doc(**changes))


@pytest.mark.parametrize(
    ("sla", "shown"),
    [("99.9", "99.9% 이상 (월 기준)"), ("99.90", "99.9% 이상 (월 기준)"), ("1E+2", "100% 이상 (월 기준)"), ("", "-")],
)
def test_availability_as_written_in_the_contract(sla, shown):
    assert terms.availability(sla) == shown


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "영"),
        (7, "칠"),
        (10_010, "일만일십"),
        (1_357_400, "일백삼십오만칠천사백"),
        (28_138_000, "이천팔백일십삼만팔천"),
        (100_000_000, "일억"),
        (1_200_000_005, "일십이억오"),
    ],
)
def test_amounts_in_korean_numerals(amount, words):
    assert korean_amount(amount) == words


def test_pretendard_covers_every_fixed_word():
    coverage = fonts.font_coverage(*fonts.pretendard_files().values())
    confirmed = Confirmation(datetime(2026, 2, 20, 1, 2, tzinfo=UTC), "정수요")
    doc = make_doc(change_seq=3, change_reason="변경", agency_confirmation=confirmed, supplier_confirmation=confirmed)
    assert fonts.uncovered(terms.document_text(doc), coverage) == set()
    footer_and_labels = (
        "변경계약서 (제9차) 계약번호 계약일자 작성일자 구분 기관명 / 상호 기관코드 / 사업자등록번호 대표자 주소 "
        "₩ ~ 원정 확인 전 전자적으로 확인함 확인자 (KST)"
    )
    assert fonts.uncovered([footer_and_labels], coverage) == set()


def test_names_in_syllables_no_fixed_word_uses_are_printed():
    """A party's name, representative, address and confirming person typed in syllables that appear nowhere
    in the document's own wording are embedded and read back (no empty boxes)."""
    fixed = set("".join(terms.document_text(make_doc())))
    confirmed = Confirmation(datetime(2026, 2, 20, 1, 2, tzinfo=UTC), "뵙쬐냠")
    supplier = Party("꿩냠뷁 솔루션", "1208147521", "휘닭꽥", "강원특별자치도 춘천시 꿩뷁길 7")
    doc = make_doc(supplier=supplier, supplier_confirmation=confirmed)
    typed = "꿩냠뷁솔루션휘닭꽥뵙쬐"
    assert not set(typed) & fixed
    pdf = contract_pdf(doc)
    text = flat(" ".join(pages_text(pdf)))
    for value in ("꿩냠뷁 솔루션", "휘닭꽥", "꿩뷁길 7", "뵙쬐냠"):
        assert value in text
    # and each of those syllables has its outline in the embedded font (the text is not drawn as boxes)
    regular = font_cache.prepared(fonts.pretendard_files()[""]).template
    embedded = embedded_fonts(pdf)[f"MPDFAA+{regular.name}"]
    for char in typed:
        glyph = embedded["glyf"][embedded.getGlyphName(regular.glyph_ids[ord(char)])]
        assert glyph.numberOfContours > 0, char


def embedded_fonts(pdf: bytes) -> dict[str, TTFont]:
    """The font programs a PDF embeds, by font name."""
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            program = descendant["/FontDescriptor"]["/FontFile2"].get_data()
            fonts[str(descendant["/BaseFont"])[1:]] = TTFont(io.BytesIO(program))
    return fonts


def test_a_syllable_pretendard_lacks_comes_from_nanum_gothic():
    if fonts.nanum_files() is None:
        pytest.skip("fonts-nanum is not installed")
    coverage = fonts.font_coverage(*fonts.pretendard_files().values())
    assert ord("쀍") not in coverage  # a syllable outside the KRDS subset
    doc = make_doc(supplier=Party("쀍테크 주식회사", "1208147521", "김가상", "서울"))
    pdf = contract_pdf(doc)
    assert b"NanumGothic" in pdf
    assert "쀍테크 주식회사" in flat(" ".join(pages_text(pdf)))


def test_nanum_gothic_is_embedded_only_when_needed(sample):
    assert b"NanumGothic" not in sample[1]


def test_without_nanum_a_missing_syllable_is_logged_and_the_document_still_made(monkeypatch, caplog):
    monkeypatch.setattr(fonts, "nanum_files", lambda: None)
    with caplog.at_level(logging.WARNING, logger="digitalmarket.contracting"):
        pdf = contract_pdf(make_doc(supplier=Party("쀍테크", "1208147521", "김가상", "서울")))
    assert pdf.startswith(b"%PDF") and b"NanumGothic" not in pdf
    assert "쀍" in caplog.text


def test_a_missing_font_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("DM_FRONTEND_DIR", str(tmp_path))
    with pytest.raises(ContractFontMissing, match="make setup"):
        contract_pdf(make_doc())
