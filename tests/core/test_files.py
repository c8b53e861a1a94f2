"""Documents: the type comes from the content, names are made safe, bombs are refused."""

import io
import zipfile

import pytest

from digitalmarket.core.errors import ValidationFailed
from digitalmarket.core.files import DocumentStore, detect_kind, read_limited, safe_filename

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_formats_are_recognised_by_content():
    assert detect_kind(PDF) == "pdf"
    assert detect_kind(b"\x89PNG\r\n\x1a\n" + b"\0" * 20) == "png"
    assert detect_kind(b"\xff\xd8\xff\xe0" + b"\0" * 20) == "jpeg"
    assert detect_kind(_zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<t/>"})) == "docx"
    assert detect_kind(_zip({"xl/workbook.xml": b"<w/>"})) == "xlsx"
    assert detect_kind(_zip({"mimetype": b"application/hwp+zip", "Contents/section0.xml": b"<s/>"})) == "hwpx"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100 + "FileHeader".encode("utf-16-le")
    assert detect_kind(ole) == "hwp"


def test_a_text_file_renamed_pdf_is_refused(tmp_path):
    with pytest.raises(ValidationFailed) as refused:
        DocumentStore(tmp_path).accept(b"just text, not a PDF", "계약서.pdf")
    assert "file" in refused.value.fields
    assert not any(tmp_path.iterdir())


def test_a_plain_zip_is_not_a_document():
    assert detect_kind(_zip({"readme.txt": b"hello"})) is None


def test_a_zip_bomb_is_refused():
    bomb = _zip({"word/document.xml": b"0" * (50 * 1024 * 1024)})
    with pytest.raises(ValidationFailed) as refused:
        detect_kind(bomb)
    assert "file" in refused.value.fields


def test_empty_and_oversized_files():
    with pytest.raises(ValidationFailed):
        read_limited(io.BytesIO(b""), "file")
    with pytest.raises(ValidationFailed) as refused:
        read_limited(io.BytesIO(b"x" * 101), "file", limit=100)
    assert "MB" in refused.value.fields["file"].render("en")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\\\Users\\\\a\\\\요금표.pdf", "요금표.pdf"),
        ("a\x00b\x1f.pdf", "a_b_.pdf"),
        ("noext", "noext.pdf"),
        ("fake.exe", "fake.pdf"),
        ("", "document.pdf"),
    ],
)
def test_file_names_are_made_safe(name, expected):
    assert safe_filename(name, "pdf") == expected


def test_same_content_is_stored_once(tmp_path):
    store = DocumentStore(tmp_path)
    first = store.accept(PDF, "a.pdf")
    second = store.accept(PDF, "b.pdf")
    assert first.sha256 == second.sha256
    assert store.path_of(first.sha256).read_bytes() == PDF
    assert len(list(tmp_path.rglob("*"))) == 3  # two folders and one file
