"""A document-management export per province (mapped to the ``document`` entity) and the files it names. The
absorbed province's document-exchange system exports XML declared Windows-1258 (``van_ban.xml``: ``<VanBan Ma=…>``
elements under ``DanhSachVanBan``, the issuing body a nested element); the survivor's is a REST API dump
(``van_ban.json``: ``{"success": true, "data": {"items": [...], "total": 12}}``). The XML's ``TongSo`` says
13: the exchange system counts a withdrawn document it never exports (the merger file acknowledges it:
``accept_short``). The files: signed PDFs, a
scanned PNG, the same circular in both provinces (a duplicate across sources), a PDF cut short, a PNG named
``.pdf``, a file the export names but the folder lacks, and names written by a TCVN3 machine (the name on disk in
TCVN3 bytes; the export's cell holds those bytes as the legacy system showed them, in Windows-1252)."""

from __future__ import annotations

import json
import os
import random
import struct
import zlib
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

from hopnhat.synth.population import Population
from hopnhat.text.legacy import LegacyEncodingError, encode

COLUMNS = ["ma", "so_ky_hieu", "loai", "co_quan", "ma_xa", "ngay_ban_hanh", "trich_yeu", "nguoi_ky", "chieu",
           "noi_nhan", "tep"]
TYPES = (("Quyết định", "QĐ"), ("Công văn", "CV"), ("Tờ trình", "TTr"), ("Thông báo", "TB"), ("Kế hoạch", "KH"))
SUBJECTS = ("Về việc cấp giấy phép xây dựng", "Về việc rà soát hồ sơ đất đai", "Về việc kiện toàn ban chỉ đạo",
            "Về việc tiếp nhận hồ sơ thủ tục hành chính", "Về việc sắp xếp đơn vị hành chính cấp xã")
SIGNERS = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung")
DOCUMENTS = 12  # documents of each side's document-management export
CIRCULAR = "Công văn số 01/CV-UBND về việc sắp xếp đơn vị hành chính"  # sent to both provinces: one file, two sources


def pdf(text: str) -> bytes:
    """A one-page PDF 1.4 with an ASCII line (the standard fonts hold no Vietnamese) and a correct xref table."""
    line = text.encode("ascii", "replace")
    stream = b"BT /F1 11 Tf 60 760 Td (" + line + b") Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(rng: random.Random, width: int = 40, height: int = 30) -> bytes:
    """A grey 'scan' with noise (a valid PNG: signature, IHDR, IDAT, IEND)."""
    rows = b"".join(b"\x00" + bytes(200 + rng.randrange(55) for _ in range(width)) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b""))


def _files(rng: random.Random, n: int, number: str, kind: str) -> tuple[str, bytes | None]:
    """The file of document ``n`` (its cell text, its bytes; None = named but missing)."""
    plain = f"{number.replace('/', '-')}.pdf"
    if n == 0:
        return "cong-van-01-CV-UBND.pdf", pdf(CIRCULAR.encode("ascii", "replace").decode())
    if n == 1:
        return f"scan-{number.replace('/', '-')}.png", png(rng)
    if n == 2:
        return plain, pdf(f"{kind} {number}")[:-40]  # cut short in the copy
    if n == 3:
        return plain, png(rng)  # a scan saved as .pdf
    if n == 4:
        return plain, None
    if n in (5, 6):
        return encode(f"{kind} số {number.replace('/', '-')}.pdf", "tcvn3").decode("cp1252"), pdf(f"{kind} {number}")
    return plain, pdf(f"{kind} {number} " + "x" * rng.randrange(2000))


def _disk_name(cell: str) -> str:
    """A legacy cell's name on disk is its TCVN3 bytes themselves; any other name is written in UTF-8."""
    try:
        return os.fsdecode(cell.encode("cp1252")) if not cell.isascii() and "\u0110" not in cell else cell
    except UnicodeEncodeError:
        return cell


Form = Literal["xml", "json"]


def write_documents(pop: Population, seed: int, estate: Path, form: Form, count: int = DOCUMENTS) -> Path:
    """``estate/<slug>/van_ban/van_ban.<form>`` and its files under ``van_ban/tep/``."""
    rng = random.Random(f"documents:{seed}:{pop.side.slug}")
    folder = estate / pop.side.slug / "van_ban"
    (folder / "tep").mkdir(parents=True, exist_ok=True)
    rows = []
    for n in range(count):
        kind, short = TYPES[n % len(TYPES)]
        commune = pop.communes[rng.randrange(len(pop.communes))]
        number = f"{n + 1}/{short}-UBND"
        cell, data = _files(rng, n, number, kind)
        if data is not None:
            (folder / "tep" / _disk_name(cell)).write_bytes(data)
        day = f"{1 + rng.randrange(28):02d}/{1 + rng.randrange(12):02d}/2024"
        direction = "incoming" if n % 3 == 0 else "outgoing"
        rows.append(dict(zip(COLUMNS, [f"VB{n + 1:04d}", number, kind, f"UBND {commune.name}", commune.code, day,
                                       SUBJECTS[n % 5], SIGNERS[n % 4], direction, "Các phòng, ban chuyên môn", cell],
                             strict=True)))
    path = folder / f"van_ban.{form}"
    path.write_bytes(_xml(rows) if form == "xml" else _api_dump(rows))
    return path


PAGE_SIZE = 50  # the survivor's portal API page size: the demo's dump is its one page
WITHDRAWN = 1  # documents the absorbed side's exchange file counts in TongSo but never exports (withdrawn)


def _api_dump(rows: list[dict[str, str]]) -> bytes:
    """The survivor's portal API answer: the records under ``data.items``, their count and paging beside them."""
    answer = {"success": True, "message": "Lấy danh sách văn bản thành công",
              "data": {"page": 1, "pageSize": PAGE_SIZE, "items": rows, "total": len(rows)}}
    return json.dumps(answer, ensure_ascii=False, indent=1).encode("utf-8")


XML_TAGS = {"so_ky_hieu": "SoKyHieu", "loai": "LoaiVanBan", "ngay_ban_hanh": "NgayBanHanh", "trich_yeu": "TrichYeu",
            "nguoi_ky": "NguoiKy", "noi_nhan": "NoiNhan", "tep": "TepDinhKem"}


def _xml(rows: list[dict[str, str]]) -> bytes:
    """The absorbed province's exchange export: Windows-1258 text (a tone as a combining mark, as Windows wrote
    it), the key and direction as attributes, the issuing body nested; ``TongSo`` counts the documents of the
    register, withdrawn ones (``WITHDRAWN``) included, which the export leaves out."""
    total = len(rows) + WITHDRAWN
    out = [b'<?xml version="1.0" encoding="windows-1258"?>\n<DanhSachVanBan TongSo="%d">\n' % total,
           b' <ThongTinXuat HeThong="QLVB" NgayXuat="2025-06-30"/>\n']
    for row in rows:
        out.append(f' <VanBan Ma={quoteattr(row["ma"])} Chieu={quoteattr(row["chieu"])}>\n'.encode("ascii"))
        body = (f'  <CoQuanBanHanh><Ten>{escape(row["co_quan"])}</Ten><MaXa>{row["ma_xa"]}</MaXa>'
                "</CoQuanBanHanh>\n")
        parts = [f"  <{tag}>{escape(row[column])}</{tag}>\n" for column, tag in XML_TAGS.items()]
        out.extend(_windows_1258(text) for text in (*parts[:2], body, *parts[2:]))
        out.append(b" </VanBan>\n")
    out.append(b"</DanhSachVanBan>\n")
    return b"".join(out)


def _windows_1258(text: str) -> bytes:
    """Text as Windows-1258 bytes; a character it has no code for (a TCVN3 file name's Windows-1252 view) as an
    XML character reference."""
    try:
        return encode(text, "cp1258-decomposed")
    except LegacyEncodingError:
        return b"".join(_char_1258(char) for char in text)


def _char_1258(char: str) -> bytes:
    try:
        return encode(char, "cp1258-decomposed")
    except LegacyEncodingError:
        return f"&#x{ord(char):X};".encode("ascii")
