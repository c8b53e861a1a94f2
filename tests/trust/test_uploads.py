"""ZIP-based uploads (DOCX, XLSX, HWPX) against every ZIP-bomb limit, refused before anything is unpacked
(tests/core/test_files.py covers the ratio, magic bytes and names)."""

import io
import zipfile

import pytest

from digitalmarket.core import files
from digitalmarket.core.errors import ValidationFailed
from digitalmarket.core.files import DocumentStore, detect_kind


def _zip(entries: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def forbid_unpacking(monkeypatch):
    """From now on, opening any entry of an archive fails the test: the limits must act on the directory."""

    def refuse(*args, **kwargs):
        raise AssertionError("an entry was unpacked")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "read", refuse)


def test_too_many_entries(monkeypatch):
    entries = {"word/document.xml": b"<w/>"} | {f"word/media/{i}.xml": b"" for i in range(files.MAX_ZIP_ENTRIES)}
    data = _zip(entries, zipfile.ZIP_STORED)
    forbid_unpacking(monkeypatch)
    with pytest.raises(ValidationFailed) as refused:
        detect_kind(data, "file")
    assert "file" in refused.value.fields


def test_too_much_uncompressed_data_whatever_the_ratio(monkeypatch):
    monkeypatch.setattr(files, "MAX_ZIP_UNCOMPRESSED", 10_000)
    stored = _zip({"xl/workbook.xml": b"<w/>", "xl/big.bin": bytes(range(256)) * 50}, zipfile.ZIP_STORED)
    forbid_unpacking(monkeypatch)
    with pytest.raises(ValidationFailed):
        detect_kind(stored, "file")  # ratio 1, size 12,800 > 10,000


@pytest.mark.parametrize(
    "names",
    [
        {"word/document.xml"},
        {"xl/workbook.xml"},
        {"mimetype", "Contents/section0.xml"},
    ],
    ids=["docx", "xlsx", "hwpx"],
)
def test_a_compressed_bomb_of_each_format_is_refused_unopened(names, monkeypatch, tmp_path):
    entries = {name: b"application/hwp+zip" if name == "mimetype" else b"<x/>" for name in names}
    entries["payload.xml"] = b"0" * (20 * 1024 * 1024)
    bomb = _zip(entries)
    forbid_unpacking(monkeypatch)
    with pytest.raises(ValidationFailed) as refused:
        DocumentStore(tmp_path).accept(bomb, "bomb.docx", field="document")
    assert "document" in refused.value.fields
    assert not any(tmp_path.iterdir())
