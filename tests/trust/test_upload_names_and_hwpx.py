"""An HWPX file is recognised from the first bytes of its ``mimetype`` entry, never by inflating the
whole entry; a file name keeps no invisible character that changes how it reads."""

import io
import os
import tracemalloc
import zipfile

import pytest

from digitalmarket.core.files import DocumentStore, detect_kind, safe_filename


def _hwpx_with_a_huge_mimetype() -> bytes:
    """A valid-looking HWPX whose mimetype inflates to 40 MB, padded with incompressible bytes so that
    the archive stays under the ZIP limits (ratio below 100, far below 200 MB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"application/hwp+zip" + b"\0" * (40 * 1024 * 1024))
        archive.writestr("Contents/section0.xml", b"<s/>")
        archive.writestr("BinData/noise.bin", os.urandom(600 * 1024), zipfile.ZIP_STORED)
    return buffer.getvalue()


def test_the_hwpx_check_reads_a_few_bytes_of_the_mimetype():
    data = _hwpx_with_a_huge_mimetype()
    tracemalloc.start()
    try:
        assert detect_kind(data) == "hwpx"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024  # not the 40 MB the entry inflates to


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("\u202egpj.pdf", "gpj.pdf"),  # shown as "fdp.jpg" with the override kept
        ("계약서\u202e\u2066fdp.exe\u2069.pdf", "계약서fdp.exe.pdf"),
        ("\u200e요금표\u200f\u200b.pdf", "요금표.pdf"),
        ("a\u2028b\ufeff.pdf", "ab.pdf"),
        ("\u202a\u202b\u202c\u202d", "document.pdf"),
        ("가\u0085나.pdf", "가나.pdf"),  # a C1 control character
    ],
)
def test_invisible_characters_leave_file_names(name, expected):
    assert safe_filename(name, "pdf") == expected


def test_a_stored_upload_is_named_without_the_override(tmp_path):
    stored = DocumentStore(tmp_path).accept(b"%PDF-1.4\n%%EOF\n", "\u202eexe.pdf")
    assert stored.filename == "exe.pdf" and "\u202e" not in stored.filename
