"""Constraints a buyer writes as words that the catalog keeps as fields: turned into filters.

``중소기업 그룹웨어``, ``CSAP 상 등급 보안관제``, ``IaaS 백업``, ``1인당 월 1만원 이하 화상회의``: the words
중소기업, CSAP 상 등급, IaaS and 1만원 이하 are not in any service's text the way the buyer means them; they
are the supplier's size, the certificate's grade, the service type and the main plan's price. `understand`
finds them, takes them out of the words to rank, and gives the filters they stand for, each with the
phrase it came from, so that the page shows them as chips the buyer can remove ("CSAP 상 등급 ×", which
searches again without that phrase) and the API lists them (``understood``). A filter the buyer chose
explicitly wins over one understood from the words.

Recognised: the service types IaaS, PaaS and SaaS (as words, or written out: ``서비스형 소프트웨어``,
``software as a service``); a CSAP grade (``CSAP 상``, ``CSAP 상등급``, ``상 등급``, with the certificate's
name next to it taken too: ``상 등급 보안인증``, ``클라우드 보안인증 중 등급``; ``CSAP high``); the supplier's
size (``중소기업``, ``중소업체``, ``SME``, ``small business``; ``중견기업``, ``mid-sized company``; ``대기업``, ``large
enterprise``; not when it is said to be left out: ``대기업 제외``); a price limit in won (``1만원 이하``,
``만원 이하``, ``5,000원 미만``, ``월 10만 원 이내``, with ``1인당``, ``사용자당`` or ``월`` before it; ``under
10,000 won``, ``₩20,000 or less``), compared with the main plan's price without VAT; a region named with
a data centre (``서울 리전``, ``부산 데이터센터``, ``세종 소재 IDC``, ``데이터센터 경기``, ``Seoul region``, ``data
centre in Busan``: the regions a service's data centre location names, `catalog.regions`). A region
alone stays a word (``부산 관광 빅데이터`` is about Busan, not where the data is kept), and so do
deployment words (폐쇄망, 망분리): the catalog has no field that says them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..accounts.rules import SupplierSize
from ..catalog import regions
from ..catalog.rules import ServiceType

_TYPE = re.compile(
    r"(?<![0-9A-Za-z])(iaas|paas|saas)(?![0-9A-Za-z])"
    r"|서비스형\s*(소프트웨어|플랫폼|인프라)"
    r"|(?<![0-9A-Za-z])(software|platform|infrastructure)[\s-]+as[\s-]+a[\s-]+service(?![0-9A-Za-z])",
    re.IGNORECASE,
)
_TYPE_WORDS = {"소프트웨어": "saas", "플랫폼": "paas", "인프라": "iaas", "software": "saas", "platform": "paas"}
_TYPE_WORDS["infrastructure"] = "iaas"
# the certificate named next to its grade is part of the constraint: CSAP, (클라우드) 보안인증, CSAP 인증
_CERTIFICATE = r"(?:csap(?:\s*인증)?|(?:클라우드\s*)?(?:서비스\s*)?보안\s*인증)"
_CSAP = re.compile(
    rf"{_CERTIFICATE}\s*([상중하])(?:\s*등급|(?![가-힣]))(?:\s*{_CERTIFICATE})?"
    rf"|(?<![가-힣])([상중하])\s*등급(?:\s*{_CERTIFICATE})?"
    r"|(?<![0-9A-Za-z])csap\s*(high|medium|moderate|low)(?:\s*(?:grade|level))?(?![0-9A-Za-z])",
    re.IGNORECASE,
)
_GRADES = {"high": "상", "medium": "중", "moderate": "중", "low": "하"}
# a size said to be left out (대기업 제외, 중소기업 말고) is no filter: the words stay words
_NOT = r"(?!\s*(?:은\s*|는\s*|이\s*|가\s*)?(?:제외|말고|빼고|아닌|아니|not|excluded|except))"
_COMPANY_EN = r"(?:business(?:es)?|enterprises?|compan(?:y|ies)|firms?|suppliers?)"
_SIZE_WORDS = {
    SupplierSize.SME: (
        r"중소\s*(?:기업|업체)(?!청|부|진흥|벤처)"  # not 중소기업청, 중소벤처기업부 ...
        rf"|(?<![0-9A-Za-z])(?:smes?|small\s+(?:and\s+medium(?:[\s-]+sized)?\s+)?{_COMPANY_EN})(?![0-9A-Za-z])"
    ),
    SupplierSize.MIDDLE: (
        rf"중견\s*(?:기업|업체)|(?<![0-9A-Za-z])mid(?:-|\s)?(?:size[d]?|market|tier)\s+{_COMPANY_EN}(?![0-9A-Za-z])"
    ),
    SupplierSize.LARGE: rf"(?<![가-힣])대\s*기업(?!청)|(?<![0-9A-Za-z])(?:large|big)\s+{_COMPANY_EN}(?![0-9A-Za-z])",
}
_NOT_BEFORE = r"(?<!not )(?<!non-)(?<!non )(?<!excluding )(?<!except )"  # not large companies
_SIZE = {size: re.compile(rf"{_NOT_BEFORE}(?:{written}){_NOT}", re.IGNORECASE) for size, written in _SIZE_WORDS.items()}
_PRICE = re.compile(
    r"(?:(?:1\s*인당|인당|사용자\s*당|사용자당|한\s*명당|월)\s*)*"
    r"(?:(\d[\d,]*(?:\.\d+)?)\s*(만|천|백만)?|(?<![가-힣\d])(십만|백만|천만|만|천))\s*원\s*(이하|미만|이내|까지|아래|밑)"
)
# the same in English: under 10,000 won, below 5000 KRW, less than ₩20,000, 10,000 won or less
_PRICE_EN = re.compile(
    r"(?<![0-9A-Za-z])(?:(under|below|less\s+than|at\s+most|max(?:imum)?|up\s+to)\s+)?"
    r"(?:₩\s*(\d[\d,]*)|(\d[\d,]*)\s*(?:won|krw|₩))(?:\s+(or\s+less|or\s+under|and\s+under|max))?(?![0-9A-Za-z])",
    re.IGNORECASE,
)

#: The names of the regions a buyer writes with a data centre: short (서울), official (서울특별시, 경기도) or English
#: (Seoul, North Chungcheong); not the cities in them (판교 리전 is no region of this list).
_REGION_NAMES = {
    name.lower(): region.code for region in regions.REGIONS for name in (region.ko, region.en, *region.names)
}


def _region_pattern() -> re.Pattern:
    """A region next to a word for a data centre, before or after it."""
    written = "|".join(re.escape(name) for name in sorted(_REGION_NAMES, key=len, reverse=True))
    centre = r"(?:데이터\s*센터|전산\s*센터|리전|idc)"  # not 센터 alone: 고객센터 서울 is no data centre
    centre_en = r"(?:regions?|data\s*cent(?:re|er)s?|dc|idc)"
    return re.compile(
        rf"(?<![가-힣])(?P<ko>{written})\s*(?:지역\s*|소재\s*|에\s*있는\s*)?{centre}"
        rf"|(?<![가-힣]){centre}\s*(?:소재지\s*|위치\s*)?(?:[은는이가]\s*|:\s*)?(?P<ko_after>{written})"
        r"(?:인|에\s*있는|에\s*둔)?(?![가-힣])"
        rf"|(?<![0-9a-z])(?P<en>{written})\s+{centre_en}(?![0-9a-z])"
        rf"|(?<![0-9a-z]){centre_en}\s+in\s+(?P<en_after>{written})(?![0-9a-z])",
        re.IGNORECASE,
    )


_REGION = _region_pattern()
_UNITS = {None: 1, "천": 1_000, "만": 10_000, "십만": 100_000, "백만": 1_000_000, "천만": 10_000_000}


@dataclass(frozen=True)
class Constraint:
    """One understood constraint: the filter (a `finder.Query` field and its value) and the phrase."""

    field: str
    value: str | int
    phrase: str


@dataclass(frozen=True)
class Understood:
    text: str  # the query without the phrases understood as constraints
    constraints: tuple[Constraint, ...]

    def filters(self) -> dict[str, str | int]:
        return {c.field: c.value for c in self.constraints}


def understand(query: str) -> Understood:
    """The constraints written in a query, and the words left to rank."""
    found: list[tuple[int, int, Constraint]] = []

    def take(pattern: re.Pattern, make) -> None:
        for match in pattern.finditer(query):
            if any(start < match.end() and match.start() < end for start, end, _ in found):
                continue
            constraint = make(match)
            if constraint is not None and all(c.field != constraint.field for _, _, c in found):
                found.append((match.start(), match.end(), constraint))

    take(_PRICE, _price)
    take(_PRICE_EN, _price_en)
    take(
        _CSAP, lambda m: Constraint("csap", m.group(1) or m.group(2) or _GRADES[m.group(3).lower()], m.group(0).strip())
    )
    for size, pattern in _SIZE.items():
        take(pattern, lambda m, size=size: Constraint("size", size.value, m.group(0)))
    take(_REGION, _region)
    take(
        _TYPE,
        lambda m: Constraint("type", _type(m.group(1) or _TYPE_WORDS[(m.group(2) or m.group(3)).lower()]), m.group(0)),
    )
    if not found:
        return Understood(query, ())
    found.sort()
    pieces, at = [], 0
    for start, end, _ in found:
        pieces.append(query[at:start])
        at = end
    pieces.append(query[at:])
    text = " ".join(" ".join(pieces).split())
    return Understood(text, tuple(constraint for _, _, constraint in found))


def as_written(phrase: str, corrected: str, written: str) -> str:
    """The words of ``written`` where ``phrase`` stands in ``corrected``, the same words corrected one by
    one (`typos.corrected_query`): 상 등굽 for the phrase 상 등급 of 상 등급 웹방화벽, so that taking the
    constraint out (`without`) takes out what the buyer typed. The phrase itself when they do not align."""
    words, typed = corrected.split(), written.split()
    at = corrected.find(phrase)
    if at < 0 or len(words) != len(typed):
        return phrase
    first = len(corrected[:at].split()) - (0 if at == 0 or corrected[at - 1].isspace() else 1)
    last = len(corrected[: at + len(phrase)].split())
    return " ".join(typed[first:last])


def corrected_in_full(written: str, text: str, corrected: str, phrases: tuple[str, ...]) -> str:
    """What "did you mean" offers for a query whose constraints were read: ``written`` (the whole query)
    with the words of ``text`` (what was left to rank) corrected as in ``corrected``, so that following the
    suggestion keeps the conditions (상 등급 IaaS 벡업 → 상 등급 IaaS 백업, not 백업 alone). When the words
    do not align one by one, the corrected words after the phrases."""
    words, fixed, typed = text.split(), corrected.split(), written.split()
    if len(words) == len(fixed):
        out, at = [], 0
        for word in typed:
            if at < len(words) and word == words[at]:
                out.append(fixed[at])
                at += 1
            else:
                out.append(word)
        if at == len(words):
            return " ".join(out)
    return " ".join([*phrases, corrected])


def without(query: str, phrase: str) -> str:
    """The query with one understood phrase taken out (what the chip's × searches for)."""
    return " ".join(query.replace(phrase, " ", 1).split())


def _type(word: str) -> str:
    types = (ServiceType.IAAS, ServiceType.PAAS, ServiceType.SAAS)
    return next(t.value for t in types if t.value.lower() == word.lower())


def _price(match: re.Match) -> Constraint | None:
    number, unit, word, limit_word = match.groups()
    amount = float(number.replace(",", "")) * _UNITS[unit] if number else _UNITS[word]
    if amount <= 0:
        return None
    limit = int(amount) - (1 if limit_word == "미만" else 0)
    return Constraint("price_max", limit, match.group(0).strip())


def _price_en(match: re.Match) -> Constraint | None:
    """A price limit in English; a bare amount (10,000 won) is no limit."""
    before, sign, number, after = match.groups()
    if not before and not after:
        return None
    amount = int((sign or number).replace(",", ""))
    if amount <= 0:
        return None
    below = bool(before) and before.lower().startswith(("under", "below", "less"))
    return Constraint("price_max", amount - (1 if below else 0), match.group(0).strip())


def _region(match: re.Match) -> Constraint:
    name = next(match.group(group) for group in ("ko", "ko_after", "en", "en_after") if match.group(group))
    return Constraint("region", _REGION_NAMES[name.lower()], match.group(0).strip())
