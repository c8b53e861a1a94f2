"""Merge a tab-separated file of `English msgid<TAB>Korean` lines into the Korean catalog.

    python scripts/translate.py new-strings.tsv

Run `make messages` first so the catalog has every msgid; this fills in the Korean.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).resolve().parents[1] / "src/digitalmarket/locale/ko/LC_MESSAGES/messages.po"


def main(tsv: str) -> None:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="ko")
    filled = 0
    for line in Path(tsv).read_text(encoding="utf-8").splitlines():
        if "\t" not in line:
            continue
        msgid, korean = line.split("\t", 1)
        message = catalog.get(msgid)
        if message is None:
            catalog.add(msgid, korean)
        else:
            message.string = korean
        filled += 1
    with CATALOG.open("wb") as handle:
        write_po(handle, catalog, omit_header=True, width=120)
    print(f"{filled} translations written to {CATALOG}")


if __name__ == "__main__":
    main(sys.argv[1])
