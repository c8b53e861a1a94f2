"""Uploaded documents: type decided from the content (magic bytes), safe names, storage by SHA-256.

Files live under ``<data dir>/documents/ab/cd/<sha256>``, outside the web root, and are served only by
routes that check who may see them. The same content is stored once however often it is attached.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import ValidationFailed
from .i18n import N_

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# ZIP-based formats are opened only to read their directory, never unpacked; these bound a ZIP bomb.
MAX_ZIP_ENTRIES = 2000
MAX_ZIP_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "hwp": "application/x-hwp",
    "hwpx": "application/hwp+zip",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpeg": "image/jpeg",
}
ACCEPTED_LABEL = "PDF, HWP, HWPX, DOCX, XLSX, PNG, JPEG"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HWPX_MIMETYPE = b"application/hwp+zip"


class DocumentRejected(ValidationFailed):
    code = "document_rejected"
    default_message = N_("The file cannot be accepted.")


def _zip_kind(data: bytes, field: str) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    total = sum(e.file_size for e in entries)
    compressed = sum(e.compress_size for e in entries) or 1
    if len(entries) > MAX_ZIP_ENTRIES or total > MAX_ZIP_UNCOMPRESSED or total / compressed > MAX_ZIP_RATIO:
        raise DocumentRejected(fields={field: N_("The file unpacks to far more than its size; it is refused.")})
    names = {e.filename for e in entries}
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "mimetype" in names and any(n.startswith("Contents/") for n in names):
        try:  # only the first bytes: the entry may inflate to far more than its name
            with archive.open("mimetype") as member:
                if member.read(len(HWPX_MIMETYPE)) == HWPX_MIMETYPE:
                    return "hwpx"
        except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
            return None
    return None


def detect_kind(data: bytes, field: str = "file") -> str | None:
    """The accepted format the content really is, or None. File names are never consulted."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(_OLE):
        # HWP 5 is an OLE compound file whose directory names the "FileHeader" stream (UTF-16).
        return "hwp" if "FileHeader".encode("utf-16-le") in data[:65536] or b"HWP Document File" in data else None
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, field)
    return None


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")
#: Invisible characters that change how a name reads without showing: bidirectional overrides and isolates
#: (U+202A-202E, U+2066-2069; ``\u202egpj.pdf`` shows as ``fdp.jpg``), marks (U+200E/F), zero-width
#: characters, and every other control or format character (Unicode categories Cc, Cf, Zl, Zp, Cs, Co, Cn).
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def _visible(name: str) -> str:
    return "".join(ch for ch in name if unicodedata.category(ch) not in _INVISIBLE)


def safe_filename(name: str, kind: str) -> str:
    """A display name without paths, control or invisible characters, ending in the detected type's
    extension."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _visible(_UNSAFE.sub("_", name)).strip(" .") or "document"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem[:150]}.{'jpg' if kind == 'jpeg' else kind}"


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    kind: str
    media_type: str
    filename: str


def read_limited(stream: BinaryIO, field: str, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise DocumentRejected(fields={field: N_("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024))})
    if not data:
        raise DocumentRejected(fields={field: N_("No file was chosen, or the file is empty.")})
    return data


def attachment(path: Path, filename: str, media_type: str):
    """A stored document as a download: never rendered inline, never sniffed as another type."""
    from fastapi.responses import FileResponse

    from .errors import NotFound

    if not path.is_file():
        raise NotFound()
    return FileResponse(
        path,
        media_type=media_type,
        filename=filename,
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff"},
    )


class DocumentStore:
    """Content-addressed storage under the data folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def of(cls, settings) -> DocumentStore:
        """The store of the running platform (``DM_DATA_DIR/documents``)."""
        return cls(settings.documents_dir)

    @classmethod
    def of_request(cls, request) -> DocumentStore:
        """The store of the app serving ``request``."""
        return cls.of(request.app.state.settings)

    def path_of(self, sha256: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError("not a SHA-256")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def accept(self, data: bytes, original_name: str, field: str = "file") -> StoredFile:
        """Check the content and store it; raises DocumentRejected with a field message otherwise."""
        kind = detect_kind(data, field)
        if kind is None:
            raise DocumentRejected(
                fields={
                    field: N_("This file is not one of the accepted formats (%(formats)s).", formats=ACCEPTED_LABEL)
                }
            )
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_of(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(handle.name, path)
        return StoredFile(digest, len(data), kind, MEDIA_TYPES[kind], safe_filename(original_name, kind))
