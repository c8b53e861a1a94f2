"""The regions of Korea (시·도) that a service's data centre location names.

A supplier writes where its data centres are as free text (`Service.data_centre_location`:
"대한민국(서울 목동·부산)", "Seoul and Busan"). A buyer whose data must stay in a region filters by the
regions that text names: each of the 17 시·도 by its short name (서울), its full name (서울특별시), its
English name (Seoul), or a city known for data centres in it (판교 → 경기, 목동 → 서울).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Region:
    code: str
    ko: str  # the short name, as Koreans write it in an address or a list (서울, 경기, 충북)
    en: str
    names: tuple[str, ...]  # its other names: official (서울특별시, 경기도) or romanised (chungcheongbuk)
    cities: tuple[str, ...]  # places in it known for data centres (판교, 목동): a location may name only them

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every way a location text names the region."""
        return (self.ko, self.en, *self.names, *self.cities)

    def label(self, locale: str) -> str:
        return self.en if locale == "en" else self.ko


REGIONS = (
    Region("seoul", "서울", "Seoul", ("서울특별시", "서울시"), ("목동", "상암", "가산", "구로", "여의도")),
    Region("busan", "부산", "Busan", ("부산광역시",), ()),
    Region("daegu", "대구", "Daegu", ("대구광역시",), ()),
    Region("incheon", "인천", "Incheon", ("인천광역시",), ("송도",)),
    Region("gwangju", "광주", "Gwangju", ("광주광역시",), ()),
    Region("daejeon", "대전", "Daejeon", ("대전광역시",), ()),
    Region("ulsan", "울산", "Ulsan", ("울산광역시",), ()),
    Region("sejong", "세종", "Sejong", ("세종특별자치시",), ()),
    Region("gyeonggi", "경기", "Gyeonggi", ("경기도",), ("판교", "성남", "용인", "수원", "안양", "평촌", "하남")),
    Region("gangwon", "강원", "Gangwon", ("강원도", "강원특별자치도"), ("춘천", "원주")),
    Region("chungbuk", "충북", "North Chungcheong", ("충청북도", "chungcheongbuk"), ("청주", "오송")),
    Region("chungnam", "충남", "South Chungcheong", ("충청남도", "chungcheongnam"), ("천안", "아산")),
    Region("jeonbuk", "전북", "North Jeolla", ("전라북도", "전북특별자치도", "jeollabuk"), ("전주",)),
    Region("jeonnam", "전남", "South Jeolla", ("전라남도", "jeollanam"), ("나주",)),
    Region("gyeongbuk", "경북", "North Gyeongsang", ("경상북도", "gyeongsangbuk"), ("구미",)),
    Region("gyeongnam", "경남", "South Gyeongsang", ("경상남도", "gyeongsangnam"), ("김해", "창원")),
    Region("jeju", "제주", "Jeju", ("제주도", "제주특별자치도"), ()),
)
BY_CODE = {region.code: region for region in REGIONS}
CODES = tuple(BY_CODE)


@lru_cache(maxsize=1)
def _spelling() -> tuple[re.Pattern, dict[str, str]]:
    """One pattern of every spelling (longest first, so 서울특별시 before 서울), and each one's region code.
    Latin spellings must stand as words (Seoul, not a part of another word)."""
    spellings = {spelling.lower(): region.code for region in REGIONS for spelling in region.spellings}
    written = sorted(spellings, key=len, reverse=True)
    alternatives = [re.escape(s) if not s.isascii() else rf"(?<![a-z]){re.escape(s)}(?![a-z])" for s in written]
    return re.compile("|".join(alternatives), re.IGNORECASE), spellings


def regions_of(location: str | None) -> tuple[str, ...]:
    """The codes of the regions a location text names, in the order of `REGIONS`."""
    if not location:
        return ()
    pattern, spellings = _spelling()
    found = {spellings[match.group(0).lower()] for match in pattern.finditer(location)}
    return tuple(code for code in CODES if code in found)
