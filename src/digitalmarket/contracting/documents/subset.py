"""The font program a document embeds: the glyphs it shows, copied byte for byte from outlines read once.

fpdf2 subsets a font for every document with fontTools' subsetter, which decompiles and recompiles every
outline it keeps and the character map (about 50 ms per font, two fonts per document). The outlines never
change, so `Outlines` keeps, per process and font file, each glyph's bytes as the file has them and the
tables every subset shares (compiled once), and `font_program` assembles a document's font from them in a
millisecond:

- glyph ids are kept (a glyph the document does not show is empty), so ``hmtx``, ``maxp``, ``hhea`` and
  the hinting programs are the file's own and the CIDToGIDMap names the font's own glyph ids; a composite
  glyph brings the glyphs it is made of;
- ``loca`` is always the long format; ``post`` is format 3 (no glyph names); there is no ``cmap`` (a
  CIDFontType2 chooses glyphs through its CIDToGIDMap, and text extraction reads the ToUnicode map), nor
  the OpenType layout, vertical metrics or bitmap tables, which a PDF does not use.

The bytes depend only on the font file and the set of glyphs, so the same document gives the same font
and the same PDF.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import accumulate

from fontTools.ttLib import TTFont
from fontTools.ttLib.sfnt import calcChecksum

#: The tables copied from the font file into every embedded font (TrueType outlines and hinting).
SHARED_TABLES = ("OS/2", "cvt ", "fpgm", "gasp", "head", "hhea", "hmtx", "maxp", "name", "post", "prep")
_MORE_COMPONENTS, _WORDS, _SCALE, _XY_SCALE, _TWO_BY_TWO = 0x20, 0x01, 0x08, 0x40, 0x80


@dataclass(frozen=True, eq=False)
class Outlines:
    """What every embedded subset of one font file shares (equal only to itself)."""

    glyphs: tuple[bytes, ...]  # each glyph's ``glyf`` entry, padded to 4 bytes (empty: no outline)
    components: Mapping[int, tuple[int, ...]]  # a composite glyph's parts
    tables: Mapping[str, bytes]  # the shared tables, ready to write
    checksums: Mapping[str, int]
    glyph_checksums: tuple[int, ...]
    deflated: dict[tuple, bytes] = field(default_factory=dict)  # pieces compressed so far (see below)


def outlines_of(font: TTFont) -> Outlines:
    """Read the outlines and shared tables of a TrueType font (one with a ``glyf`` table)."""
    offsets = font["loca"].locations
    glyf = font.getTableData("glyf")
    glyphs = []
    components = {}
    for gid in range(len(offsets) - 1):
        data = glyf[offsets[gid] : offsets[gid + 1]]
        data += b"\0" * (-len(data) % 4)
        glyphs.append(data)
        parts = _components(data)
        if parts:
            components[gid] = parts
    tables = {tag: font.getTableData(tag) for tag in SHARED_TABLES if tag in font}
    head = bytearray(tables["head"])
    head[8:12] = b"\0\0\0\0"  # checkSumAdjustment, set for each font program
    head[50:52] = struct.pack(">h", 1)  # indexToLocFormat: long offsets
    tables["head"] = bytes(head)
    if "post" in tables:
        tables["post"] = struct.pack(">I", 0x00030000) + tables["post"][4:32]
    checksums = {tag: calcChecksum(data) for tag, data in tables.items()}
    return Outlines(tuple(glyphs), components, tables, checksums, tuple(calcChecksum(data) for data in glyphs))


def _components(data: bytes) -> tuple[int, ...]:
    """The glyph ids a composite glyph is made of (none for a simple one)."""
    if len(data) < 10 or struct.unpack_from(">h", data)[0] >= 0:
        return ()
    parts = []
    position = 10
    while True:
        flags, gid = struct.unpack_from(">HH", data, position)
        parts.append(gid)
        position += 4 + (4 if flags & _WORDS else 2)
        if flags & _SCALE:
            position += 2
        elif flags & _XY_SCALE:
            position += 4
        elif flags & _TWO_BY_TWO:
            position += 8
        if not flags & _MORE_COMPONENTS:
            return tuple(parts)


def font_program(outlines: Outlines, gids: Iterable[int]) -> bytes:
    """A TrueType font with the outlines of ``gids`` (and .notdef, and the parts of composites)."""
    return b"".join(data for _, data in _pieces(outlines, gids))


def deflated_font_program(outlines: Outlines, gids: Iterable[int]) -> tuple[bytes, int]:
    """`font_program` as a zlib stream (what a PDF's FlateDecode reads), and its length unpacked.

    Each glyph and each shared table is compressed once per process, on its own and flushed to a byte
    boundary, so that a document's stream is those pieces one after the other: only the table directory,
    ``head`` and ``loca`` are compressed for each document (3 to 5 ms of CPU less per document). A glyph
    compressed alone compresses less well than in one stream: the two fonts of a three-line contract
    take 64 KB instead of 45 KB."""
    kept = outlines.deflated
    parts = [b"\x78\x9c"]
    checksum = 1
    length = 0
    for key, data in _pieces(outlines, gids):
        packed = kept.get(key) if key is not None else None
        if packed is None:
            packed = _deflate(data)
            if key is not None:
                kept[key] = packed
        parts.append(packed)
        checksum = zlib.adler32(data, checksum)
        length += len(data)
    parts.append(zlib.compressobj(wbits=-15).flush(zlib.Z_FINISH))  # the last, empty block
    parts.append(struct.pack(">I", checksum))
    return b"".join(parts), length


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


def _pieces(outlines: Outlines, gids: Iterable[int]) -> list[tuple[tuple | None, bytes]]:
    """The font program in pieces, each named when it is the same in every document (a glyph, a shared
    table) and ``None`` when it is the document's own (directory, ``head``, ``loca``)."""
    wanted: set[int] = set()
    pending = [0, *gids]
    while pending:
        gid = pending.pop()
        if gid in wanted or not 0 <= gid < len(outlines.glyphs):
            continue
        wanted.add(gid)
        pending.extend(outlines.components.get(gid, ()))
    glyphs = outlines.glyphs
    shown = sorted(wanted)
    lengths = [0] * len(glyphs)
    for gid in shown:
        lengths[gid] = len(glyphs[gid])
    loca = array("I", accumulate(lengths, initial=0))
    total = loca[-1]
    if sys.byteorder == "little":
        loca.byteswap()
    tables = dict(outlines.tables)
    tables["loca"] = loca.tobytes()
    checksums = dict(outlines.checksums)
    checksums["loca"] = calcChecksum(tables["loca"])
    checksums["glyf"] = sum(outlines.glyph_checksums[gid] for gid in shown) & 0xFFFFFFFF
    lengths_of = {tag: len(data) for tag, data in tables.items()}
    lengths_of["glyf"] = total

    tags = sorted(lengths_of)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    search_range = power * 16
    header = struct.pack(">IHHHH", 0x00010000, count, search_range, power.bit_length() - 1, count * 16 - search_range)
    offset = 12 + 16 * count
    directory = []
    for tag in tags:
        directory.append(struct.pack(">4sIII", tag.encode("latin-1"), checksums[tag], offset, lengths_of[tag]))
        offset += lengths_of[tag] + (-lengths_of[tag] % 4)
    start = header + b"".join(directory)
    # checkSumAdjustment: the sum of the whole font is the sum of its 4-byte aligned parts
    whole = (calcChecksum(start) + sum(checksums.values())) & 0xFFFFFFFF
    head = bytearray(tables["head"])
    head[8:12] = struct.pack(">I", (0xB1B0AFBA - whole) & 0xFFFFFFFF)
    tables["head"] = bytes(head)

    pieces: list[tuple[tuple | None, bytes]] = [(None, start)]
    for tag in tags:
        if tag == "glyf":
            pieces += [(("glyph", gid), glyphs[gid]) for gid in shown if glyphs[gid]]
            continue
        data = tables[tag] + b"\0" * (-len(tables[tag]) % 4)
        pieces.append((None if tag in ("head", "loca") else ("table", tag), data))
    return pieces
