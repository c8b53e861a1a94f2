"""Every message of the code and templates has a Korean translation, and placeholders survive it."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from digitalmarket.core import i18n

SRC = Path(__file__).resolve().parents[2] / "src"
METHOD_MAP = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _msgids() -> set[str]:
    found = set()
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    for _file, _line, message, _comments, _context in extract_from_dir(SRC, METHOD_MAP, OPTIONS, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])  # a plural is kept under its singular
    return found


def _korean():
    with (i18n.LOCALE_DIR / "ko" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale="ko")


def test_every_message_has_a_korean_translation():
    catalog = _korean()
    missing = sorted(m for m in _msgids() if not (catalog.get(m) and _translated(catalog.get(m).string)))
    assert missing == [], f"{len(missing)} messages lack Korean (run `make messages`, then translate): {missing[:10]}"


def _translated(string) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


def test_translations_keep_their_placeholders():
    for message in _korean():
        if not (message.id and _translated(message.string)):
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set(PLACEHOLDER.findall(ids[-1]))  # the plural's, as Korean has one form for every number
        assert all(set(PLACEHOLDER.findall(string)) == wanted for string in strings), message.id


def test_accept_language_picks_a_supported_language():
    assert i18n.locale_from_accept_language("en-US,en;q=0.9,ko;q=0.8") == "en"
    assert i18n.locale_from_accept_language("fr-FR,ko;q=0.5") == "ko"
    assert i18n.locale_from_accept_language("fr-FR") == "ko"
    assert i18n.locale_from_accept_language(None) == "ko"


def test_a_template_counts_in_the_reader_s_language_one_result_or_several():
    from digitalmarket.core.templating import _build_environment

    template = _build_environment().from_string(
        "{{ ngettext('%(count)s result for “%(query)s”', '%(count)s results for “%(query)s”', n, count=n, query=q) }}"
    )
    token = i18n.current_locale.set("en")
    try:
        assert template.render(n=1, q="VDI") == "1 result for “VDI”"
        assert template.render(n=2, q="<b>") == "2 results for “&lt;b&gt;”"  # escaped like any value
    finally:
        i18n.current_locale.reset(token)
    token = i18n.current_locale.set("ko")
    try:
        assert template.render(n=1, q="VDI") == "“VDI” 검색 결과 1건"
    finally:
        i18n.current_locale.reset(token)
