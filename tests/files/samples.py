"""Real small files written byte by byte (PDF, PNG) or by Pillow and zipfile (JPEG, TIFF, DOCX), their broken
variants, and file names encoded in TCVN3/VNI with viparse's tables (an encoder hopnhat did not write)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image
from viparse.normalize.tcvn3 import TCVN3  # type: ignore[import-untyped]
from viparse.normalize.vni import VNI  # type: ignore[import-untyped]


def pdf(text: str = "Quyet dinh so 12/QD-UBND") -> bytes:
    """A minimal valid PDF 1.4 (one page, one line of text) with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int = 4, height: int = 3) -> bytes:
    """A valid RGB PNG written by hand (signature, IHDR, IDAT, IEND)."""
    rows = b"".join(b"\x00" + b"".join(bytes([x * 40, y * 60, 200]) for x in range(width)) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b""))


def image(fmt: str, seed: int = 0) -> bytes:
    picture = Image.new("RGB", (16, 12), (seed % 256, 80, 160))
    buffer = io.BytesIO()
    picture.save(buffer, format=fmt)
    return buffer.getvalue()


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.'
                   'org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Tờ trình</w:t></w:r></w:p></w:body>'
                   '</w:document>')
    return buffer.getvalue()


def _encoder(pairs: object) -> dict[str, str]:
    return {unicode: legacy for legacy, unicode in pairs}  # type: ignore[attr-defined]


def legacy_name(text: str, table: str) -> bytes:
    """``text`` encoded in TCVN3 or VNI (viparse's tables, character by character), as the bytes a legacy PC wrote."""
    mapping = _encoder(TCVN3.pairs if table == "tcvn3" else VNI.pairs)
    out = "".join(mapping.get(ch, ch) for ch in text)
    return out.encode("cp1252")
