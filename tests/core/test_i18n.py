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
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def _korean():
    with (i18n.LOCALE_DIR / "ko" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale="ko")


def test_every_message_has_a_korean_translation():
    catalog = _korean()
    missing = sorted(m for m in _msgids() if not (catalog.get(m) and catalog.get(m).string))
    assert missing == [], f"{len(missing)} messages lack Korean (run `make messages`, then translate): {missing[:10]}"


def test_translations_keep_their_placeholders():
    for message in _korean():
        if message.id and message.string and isinstance(message.id, str):
            assert set(PLACEHOLDER.findall(message.id)) == set(PLACEHOLDER.findall(message.string)), message.id


def test_accept_language_picks_a_supported_language():
    assert i18n.locale_from_accept_language("en-US,en;q=0.9,ko;q=0.8") == "en"
    assert i18n.locale_from_accept_language("fr-FR,ko;q=0.5") == "ko"
    assert i18n.locale_from_accept_language("fr-FR") == "ko"
    assert i18n.locale_from_accept_language(None) == "ko"
