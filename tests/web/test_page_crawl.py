"""Every page a person of each role reaches in the demo reads as people write: no particle fallback such as
"미래행정부이(가)", every clock time with its date and zone ("2026-12-05 23:04 KST"), and in English no unit
or CSAP grade left in Korean.

The crawl signs in as each demo account (and browses signed out), starts from the home page and the
role's workspace, and follows every same-site link a person could click (not downloads, the API, log-out
or the language switch), in Korean and in English, over the seeded demo trade. Pages of one kind are
opened once: numbers in a path are one pattern (``/orders/12`` and ``/orders/13`` are ``/orders/#``).
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from digitalmarket.catalog.rules import COMMON_UNITS
from tests.helpers import api_token, app_on, page_login

ACCOUNTS = [None, "supplier@demo.kr", "buyer@demo.kr", "operator@demo.kr", "reviewer@demo.kr"]
ACCOUNTS += ["officer@demo.kr", "admin@demo.kr"]
MAX_PAGES = 150  # pages per account and language
SAMPLES = 3  # pages of one kind (an order in each of its states, say)
SKIPPED_PREFIXES = ("/lang/", "/logout", "/static/", "/assets/", "/api/", "/healthz", "/notifications/")
DOWNLOADS = re.compile(r"[./](pdf|csv|zip|json|xlsx|xml|txt)$|/(documents|attachments|downloads?)(/|$)", re.I)

PARTICLE_FALLBACK = re.compile(r"[이가]\([이가]\)|[을를]\([을를]\)|[과와]\([과와]\)|[은는]\([은는]\)|\(으\)로")
CLOCK = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?![\d:])")
RANGE = r"\s*[-–~]\s*"
ZONE_AFTER = re.compile(r"\s*\(?KST\)?")
DATE_BEFORE = re.compile(r"\d{4}-\d{2}-\d{2}\s+$")
#: In English, a unit (사용자/월, a price per 대·월, 식 ...) or a CSAP grade (상/중/하) left in Korean.
KOREAN_UNITS = {*COMMON_UNITS, "GPU/시간", "명", "개월"}
KOREAN_LEFTOVERS = re.compile(r"won / [^(]*[가-힣]|CSAP [상중하](?![가-힣])")


class _Page(HTMLParser):
    """The text a person reads (and hears: labels, titles) and the links of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style", "template"):
            self._hidden += 1
        if tag == "a" and attributes.get("href") and "download" not in attributes:
            self.links.append(attributes["href"])
        for name in ("aria-label", "title", "placeholder", "alt"):
            if attributes.get(name):
                self.texts.append(attributes[name])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(" ".join(data.split()))


def pattern_of(path: str) -> str:
    """One pattern for pages of one kind: numbers stand for any number, and a query (a filter, a page of
    a list) shows the same page."""
    return re.sub(r"\d+", "#", urlsplit(path).path)


def followed(href: str) -> str | None:
    """The same-site page a link opens, or None for what the crawl does not open."""
    if not href.startswith("/") or href.startswith("//"):
        return None
    path = href.split("#", 1)[0]
    if not path or path.startswith(SKIPPED_PREFIXES) or DOWNLOADS.search(urlsplit(path).path) or "format=" in path:
        return None
    return path


def clock_problems(text: str) -> list[str]:
    """Clock times read without their zone or date. A range of hours (09:00–18:00) is opening hours."""
    problems = []
    for match in CLOCK.finditer(text):
        before, after = text[: match.start()], text[match.end() :]
        if re.match(RANGE + r"\d{1,2}:\d{2}", after) or re.search(r"\d{1,2}:\d{2}" + RANGE + "$", before):
            continue
        snippet = text[max(0, match.start() - 30) : match.end() + 15]
        if not ZONE_AFTER.match(after):
            problems.append(f"time without its zone: …{snippet}…")
        elif not DATE_BEFORE.search(before):
            problems.append(f"time without its date: …{snippet}…")
    return problems


def english_problems(text: str) -> list[str]:
    """Units and grades an English reader would find in Korean."""
    found = [text] if text.strip("() ") in KOREAN_UNITS else [m.group(0) for m in KOREAN_LEFTOVERS.finditer(text)]
    return [f"not in English: {word}" for word in found]


def page_problems(html: str, language: str = "ko") -> tuple[list[str], list[str]]:
    """(what reads wrong on the page, its links)"""
    page = _Page()
    page.feed(html)
    problems = []
    for text in page.texts:
        if language == "en":
            problems += english_problems(text)
        for match in PARTICLE_FALLBACK.finditer(text):
            problems.append(f"particle fallback: …{text[max(0, match.start() - 30) : match.end() + 15]}…")
        problems += clock_problems(text)
    return problems, page.links


def crawl(client: TestClient, starts: list[str], language: str = "ko") -> tuple[list[str], int]:
    """Open the pages reachable from ``starts``, breadth first; returns (problems, pages opened)."""
    queue, seen, kinds, problems, opened = deque(starts), set(starts), Counter(map(pattern_of, starts)), [], 0
    while queue and opened < MAX_PAGES:
        path = queue.popleft()
        response = client.get(path)
        opened += 1
        if response.status_code >= 400:
            problems.append(f"{path}: status {response.status_code}")
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        found, links = page_problems(response.text, language)
        problems += [f"{path}: {problem}" for problem in found]
        for href in links:
            target = followed(href)
            if target and target not in seen and kinds[pattern_of(target)] < SAMPLES:
                seen.add(target)
                kinds[pattern_of(target)] += 1
                queue.append(target)
    return problems, opened


def test_the_checks_catch_what_a_person_would_notice():
    problems, _ = page_problems(
        "<p>미래행정부이(가) 견적을 요청했습니다.</p><p>(주)한결클라우드과(와) 계약</p><span>14:04</span>"
        "<p>2026-12-05 23:04 KST</p><p>23:04 KST</p><p>평일 09:00–18:00</p><a href='/orders/1'>x</a>"
    )
    assert [p.split(":")[0] for p in problems] == [
        "particle fallback",
        "particle fallback",
        "time without its zone",
        "time without its date",
    ]
    english, _ = page_problems(
        "<td>사용자/월</td><p>12,000 won / 대·월 (Monthly)</p><b>CSAP 상</b><p>하늘 서버</p>", "en"
    )
    assert english == ["not in English: 사용자/월", "not in English: won / 대·월", "not in English: CSAP 상"]
    assert page_problems("<td>user/month</td><p>12,000 won / device·month (Monthly)</p><b>CSAP High</b>", "en")[0] == []
    assert pattern_of("/orders/12?page=2") == pattern_of("/orders/7") == "/orders/#"
    assert followed("/orders/3/decision-record.pdf") is None and followed("/orders/3/documents/0") is None
    assert followed("/lang/en?next=/") is None and followed("https://example.kr/") is None
    assert followed("/orders/3#changes") == "/orders/3"


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_page_of_every_role_reads_naturally_with_times_in_kst(demo_trade, language):
    db, settings, _ = demo_trade
    problems, opened = [], 0
    with TestClient(app_on(settings, db), base_url="http://testserver") as client:
        for email in ACCOUNTS:
            client.cookies.clear()
            starts = ["/"]
            if email:
                signed_in = page_login(client, email)
                assert signed_in.status_code == 303, email
                starts += [signed_in.headers["location"], "/notifications", "/account"]
            client.cookies.set("dm_lang", language)
            found, count = crawl(client, list(dict.fromkeys(starts)), language)
            problems += [f"{email or 'anonymous'} {problem}" for problem in found]
            opened += count
    assert opened > 100
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(dict.fromkeys(problems))


def test_each_notification_in_the_demo_opens_the_item_it_is_about(demo_trade):
    """Every kind of notification a person of each role has received links to a page that person may open."""
    db, settings, _ = demo_trade
    opened = 0
    with TestClient(app_on(settings, db), base_url="http://testserver") as client:
        for email in ACCOUNTS[1:]:
            notes = client.get("/api/v1/notifications", headers=api_token(db, email)).json()["items"]
            kinds = {pattern_of(n["link"]): n["link"] for n in notes if n["link"]}
            assert len(kinds) == len({pattern_of(n["link"] or "") for n in notes}), (
                f"{email}: a notification without a link"
            )
            client.cookies.clear()
            page_login(client, email)
            for link in kinds.values():
                assert client.get(link).status_code == 200, (email, link)
                opened += 1
    assert opened >= 10
