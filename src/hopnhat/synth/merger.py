"""The estate's ``merger.yaml``: the merged unit, every source (kind, path or DSN, encoding hints, strictness) and,
per source table, its mapping onto the unified model (person, person_event, organization, dossier + dossier_history,
parcel, civil_servant).

A column mapping is either a source column name, or a mapping with ``column`` (or ``coalesce`` / ``from_nonempty`` /
``json`` path) and a ``type`` (text, date, datetime, integer, decimal, id_number, phone, admin_code, admin_address,
status) with its options (``formats``, ``decimal``, ``version``, ``values``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from hopnhat.synth.civil_servants import sheet_file
from hopnhat.synth.documents import DOCUMENTS, WITHDRAWN
from hopnhat.synth.dossiers import NATIONAL_STATUS, STAGE_TO_NATIONAL, VOCABULARIES
from hopnhat.synth.scenarios import Scenario

HEADER = """\
# hopnhat merger project, written by `hopnhat synth {scenario} --scale {scale} --seed {seed}`.
# Paths are relative to this file. Read by `hopnhat migrate` (see docs: merger file reference).
"""
DMY = ["dd/mm/yyyy", "yyyy", "excel_serial"]


def _addr(column: str) -> dict[str, Any]:
    return {"column": column, "type": "admin_address", "version": "old"}


def _code(column: str) -> dict[str, Any]:
    return {"column": column, "type": "admin_code", "version": "old"}


PERSON_CSV = {"source_key": "MaCongDan", "full_name": "HoTen", "birth_date": {"column": "NgaySinh", "type": "date",
              "formats": DMY}, "sex": "GioiTinh", "id_number": {"column": "SoCMND_CCCD", "type": "id_number"},
              "birth_place": "QueQuan", "address": _addr("NoiThuongTru"), "phone": {"column": "DienThoai",
                                                                                     "type": "phone"}}
PERSON_DB = {"source_key": "id", "full_name": "ho_ten", "birth_date": {"column": "ngay_sinh", "type": "date",
             "formats": ["yyyy-mm-dd", "yyyy"]}, "sex": "gioi_tinh", "cccd": {"column": "so_cccd", "type": "id_number"},
             "cmnd": {"column": "so_cmnd", "type": "id_number"}, "phone": {"column": "so_dien_thoai", "type": "phone"},
             "commune": _code("ma_xa_thuong_tru"), "address": _addr("dia_chi_thuong_tru"), "birth_place": "que_quan",
             "ethnicity": "dan_toc"}
EVENT_DB = {"source_key": "id", "kind": {"column": "loai", "type": "text", "values": {"KS": "birth", "KH": "marriage",
            "KT": "death"}}, "book_number": "so_dang_ky", "registered_date": {"column": "ngay_dang_ky", "type": "date",
            "formats": ["yyyy-mm-dd"]}, "person_key": "cong_dan_id", "related_person_key": "nguoi_lien_quan_id",
            "father_name": "ho_ten_cha", "mother_name": "ho_ten_me", "commune": _code("ma_xa_dang_ky"),
            "event_date": {"column": "ngay_su_kien", "type": "date", "formats": ["yyyy-mm-dd"]}}


def _event_csv(kind: str) -> dict[str, Any]:
    base: dict[str, Any] = {"source_key": "SoDangKy", "kind": {"const": kind}, "book_number": "SoDangKy",
                            "registered_date": {"column": "NgayDangKy", "type": "date", "formats": DMY},
                            "place": _addr("NoiDangKy")}
    extra = {"birth": {"person_key": "MaCongDan", "person_name": "HoTenTre", "event_date": {"column": "NgaySinh",
                       "type": "date", "formats": DMY}, "sex": "GioiTinh", "father_name": "HoTenCha",
                       "mother_name": "HoTenMe"},
             "marriage": {"person_key": "MaChong", "person_name": "HoTenChong", "related_person_key": "MaVo",
                          "related_person_name": "HoTenVo", "event_date": {"column": "NgayDangKy", "type": "date",
                                                                           "formats": DMY}},
             "death": {"person_key": "MaCongDan", "person_name": "HoTenNguoiChet", "event_date": {"column": "NgayChet",
                       "type": "date", "formats": DMY}}}
    return {**base, **extra[kind]}


def _status_map(vendor: str) -> dict[str, int]:
    return {local: STAGE_TO_NATIONAL[stage] for stage, local in VOCABULARIES[vendor].items()}


def _dossier(vendor: str) -> tuple[dict[str, Any], dict[str, Any]]:
    if vendor == "absorbed":
        main = {"source_key": "MaHoSo", "code": "MaHoSo", "procedure_code": "MaTTHC", "procedure_name": "TenTTHC",
                "receiving_unit": {"column": "MaDonViTiepNhan", "type": "text", "lookup": "don_vi"},
                "receiving_unit_name": "TenDonViTiepNhan",
                "received_at": {"column": "NgayTiepNhan", "type": "datetime", "formats": ["iso8601"]},
                "due_at": {"column": "NgayHenTra", "type": "datetime", "formats": ["iso8601"]},
                "finished_at": {"column": "NgayKetThuc", "type": "datetime", "formats": ["iso8601"]},
                "status": {"column": "TrangThai", "type": "status", "values": _status_map(vendor)},
                "applicant_name": {"json": "ChuHoSo.HoTen"}, "applicant_id": {"json": "ChuHoSo.SoGiayTo",
                                                                              "type": "id_number"},
                "applicant_address": {"json": "ChuHoSo.DiaChi", "type": "admin_address", "version": "old"}}
        hist = {"explode": "QuaTrinhXuLy", "parent_key": "MaHoSo", "at": {"column": "ThoiDiem", "type": "datetime",
                "formats": ["iso8601"]}, "officer": "CanBo", "action": "HanhDong",
                "status": {"column": "TrangThai", "type": "status", "values": _status_map(vendor)}}
        return main, hist
    fmt = ["dd/mm/yyyy HH:MM"]
    main = {"source_key": "code", "code": "code", "procedure_code": {"json": "procedure.code"},
            "procedure_name": {"json": "procedure.name"},
            "receiving_unit": {"json": "agency.id", "type": "text", "lookup": "don_vi"},
            "receiving_unit_name": {"json": "agency.name"},
            "received_at": {"column": "received_at", "type": "datetime", "formats": fmt},
            "due_at": {"column": "appointment_at", "type": "datetime", "formats": fmt},
            "finished_at": {"column": "completed_at", "type": "datetime", "formats": fmt},
            "status": {"column": "status", "type": "status", "values": _status_map(vendor)},
            "applicant_name": {"json": "applicant.fullname"},
            "applicant_id": {"json": "applicant.identity_no", "type": "id_number"},
            "applicant_address": {"json": "applicant.address", "type": "admin_address", "version": "old"}}
    hist = {"explode": "history", "parent_key": "code", "at": {"column": "at", "type": "datetime", "formats": fmt},
            "officer": "user", "action": "action", "status": {"column": "status", "type": "status",
                                                              "values": _status_map(vendor)}}
    return main, hist


def _register_source(scn: Scenario, slug: str, db: dict[str, Any] | None, encodings: dict[str, str],
                     cursor: bool = False) -> dict[str, Any]:
    side = scn.survivor if db else scn.absorbed
    if db:
        events: dict[str, Any] = {"name": "su_kien_ho_tich", "table": "su_kien_ho_tich", "maps_to": "person_event"}
        if cursor:  # a delta reads only the events written since the last load (hopnhat.load.cursor)
            events["cursor"] = "ngay_cap_nhat"
        tables = [{"name": "cong_dan", "table": "cong_dan", "maps_to": "person", "columns": PERSON_DB},
                  {**events, "columns": EVENT_DB}]
        return {"name": f"{slug}_dancu", "system": "Hộ tịch - dân cư", "province": side.code, **db,
                "strictness": "strict", "tables": tables}
    tables = []
    for file, enc in encodings.items():
        if not file.endswith(".csv"):
            continue
        name = file.removesuffix(".csv")
        entry: dict[str, Any] = {"name": name, "path": f"estate/{slug}/dancu/{file}", "delimiter": ","}
        base, _, per_col = enc.partition(";")
        entry["encoding"] = base
        if per_col:
            cols, _, col_enc = per_col.partition("=")
            entry["column_encodings"] = {c: col_enc for c in cols.split(",")}
        if name.startswith("nhan_khau"):
            entry.update(maps_to="person", columns=PERSON_CSV)
        else:
            kind = {"khai_sinh": "birth", "ket_hon": "marriage", "khai_tu": "death"}[name]
            entry.update(maps_to="person_event", columns=_event_csv(kind))
        if name == "ket_hon":  # the report's footer total (hopnhat.synth.register.MARRIAGE_REPORT)
            entry["declared_total"] = "footer"
        tables.append(entry)
    return {"name": f"{slug}_dancu", "system": "Hộ tịch - dân cư", "province": side.code, "kind": "csv",
            "strictness": "lenient", "tables": tables}


DEATH_DBF = {"source_key": "SODANGKY", "kind": {"const": "death"}, "book_number": "SODANGKY",
             "registered_date": {"column": "NGAYDANGKY", "type": "date", "formats": ["yyyy-mm-dd"]},
             "place": _addr("NOIDANGKY"), "person_key": "MACONGDAN", "person_name": "HOTEN",
             "event_date": {"column": "NGAYCHET", "type": "date", "formats": ["yyyy-mm-dd"]}}


def _foxpro_source(scn: Scenario, slug: str, encodings: dict[str, str]) -> list[dict[str, Any]]:
    """The register's tables left in the old FoxPro program (``.dbf`` files, TCVN3 text): one ``kind: dbf`` source."""
    tables = [{"name": file.removesuffix(".dbf"), "path": f"estate/{slug}/hotich/{file}", "encoding": enc,
               "maps_to": "person_event", "columns": DEATH_DBF}
              for file, enc in encodings.items() if file.endswith(".dbf")]
    if not tables:
        return []
    return [{"name": f"{slug}_hotich", "system": "Hộ tịch - dân cư (FoxPro)", "province": scn.absorbed.code,
             "kind": "dbf", "strictness": "lenient", "tables": tables}]


def _other_sources(scn: Scenario) -> list[dict[str, Any]]:
    out = []
    for vendor, side in (("absorbed", scn.absorbed), ("survivor", scn.survivor)):
        slug = side.slug
        main, hist = _dossier(vendor)
        out.append({"name": f"{slug}_tthc", "system": "Hệ thống thông tin giải quyết TTHC", "province": side.code,
                    "kind": "ndjson", "strictness": "lenient", "lookups": {"don_vi": {
                        "path": f"estate/{slug}/tthc/don_vi.csv", "key": "ma_don_vi", "admin_code": "ma_hanh_chinh"}},
                    "tables": [{"name": "ho_so", "path": f"estate/{slug}/tthc/ho_so.ndjson", "encoding": "utf-8",
                                "maps_to": "dossier", "columns": main},
                               {"name": "ho_so_qua_trinh", "path": f"estate/{slug}/tthc/ho_so.ndjson",
                                "encoding": "utf-8", "maps_to": "dossier_history", "columns": hist}]})
        decimal = "," if vendor == "absorbed" else "."
        out.append({"name": f"{slug}_dat_dai", "system": "CSDL đất đai", "province": side.code, "kind": "csv",
                    "strictness": "lenient", "tables": [{
                        "name": "thua_dat", "path": f"estate/{slug}/dat_dai/thua_dat.csv", "encoding": "utf-8",
                        "maps_to": "parcel", "columns": {
                            "source_key": "ma_thua", "commune": _code("ma_xa"), "map_sheet": "so_to",
                            "parcel_number": "so_thua", "area_m2": {"column": "dien_tich", "type": "decimal",
                                                                    "decimal": decimal},
                            "land_use": "loai_dat", "hamlet": "xu_dong", "holder_name": "chu_su_dung",
                            "holder_id": {"column": "so_giay_to_chu", "type": "id_number"},
                            "certificate_no": "so_gcn"}}]})
        out.append({"name": f"{slug}_doanh_nghiep", "system": "Đăng ký doanh nghiệp", "province": side.code,
                    "kind": "csv", "strictness": "lenient", "tables": [{
                        "name": "doanh_nghiep", "path": f"estate/{slug}/doanh_nghiep/doanh_nghiep.csv",
                        "encoding": "utf-8", "maps_to": "organization", "columns": {
                            "source_key": "ma_so_thue", "tax_code": {"column": "ma_so_thue", "type": "tax_code"},
                            "name": "ten_doanh_nghiep", "legal_form": "loai_hinh",
                            "registered_date": {"column": "ngay_cap", "type": "date", "formats": DMY},
                            "address": _addr("dia_chi"), "representative_name": "nguoi_dai_dien",
                            "representative_id": {"column": "so_giay_to_nguoi_dai_dien", "type": "id_number"},
                            "status": "trang_thai"}}]})
        out.append(_documents_source(vendor, side.slug, side.code))
        out.append({"name": f"{slug}_can_bo", "system": "CSDL cán bộ, công chức", "province": side.code,
                    "kind": "excel", "strictness": "lenient", "tables": [{
                        "name": "can_bo_cong_chuc", "path": f"estate/{sheet_file(side)}",
                        "sheet": "DS CBCC", "header_rows": [2, 3], "data_start_row": 4, "header_join": " - ",
                        "maps_to": "civil_servant", "columns": {
                            "source_key": "STT", "full_name": "Họ và tên",
                            "birth_date": {"coalesce": ["Ngày sinh - Nam", "Ngày sinh - Nữ"], "type": "date",
                                           "formats": ["dd/mm/yyyy", "excel_serial"]},
                            "sex": {"from_nonempty": {"Ngày sinh - Nam": "Nam", "Ngày sinh - Nữ": "Nữ"}},
                            "id_number": {"column": "Số CCCD/CMND", "type": "id_number"}, "position": "Chức vụ",
                            "workplace": "Đơn vị công tác", "grade_code": "Mã ngạch", "grade_name": "Tên ngạch",
                            "qualification": "Trình độ chuyên môn", "hometown": _addr("Quê quán")}}]})
    return out


MACHINE_DMY = ["dd/mm/yyyy"]  # a date an API or an XML export writes: no year alone, no Excel serial
DOCUMENT_JSON = {"source_key": "ma", "number_symbol": "so_ky_hieu", "doc_type": "loai", "issuing_body": "co_quan",
                 "issuing_commune": _code("ma_xa"),
                 "issued_date": {"column": "ngay_ban_hanh", "type": "date", "formats": MACHINE_DMY},
                 "summary": "trich_yeu", "signer": "nguoi_ky", "direction": "chieu", "recipients": "noi_nhan"}
DOCUMENT_XML = {"source_key": "@Ma", "number_symbol": "SoKyHieu", "doc_type": "LoaiVanBan",
                "issuing_body": {"json": "CoQuanBanHanh.Ten"},
                "issuing_commune": {"json": "CoQuanBanHanh.MaXa", "type": "admin_code", "version": "old"},
                "issued_date": {"column": "NgayBanHanh", "type": "date", "formats": MACHINE_DMY},
                "summary": "TrichYeu", "signer": "NguoiKy", "direction": "@Chieu", "recipients": "NoiNhan"}
ATTACHMENTS = {"absorbed": "TepDinhKem", "survivor": "tep"}  # the column naming a document's file


# the absorbed side's exchange file counts a withdrawn document it never exports (hopnhat.synth.documents)
WITHDRAWN_ACCEPTED = {"declared": DOCUMENTS + WITHDRAWN, "read": DOCUMENTS,
                      "reason": "Hệ thống QLVB không xuất văn bản đã thu hồi (1 văn bản); Văn phòng UBND tỉnh xác "
                                "nhận ngày 30/06/2025"}


def _documents_source(vendor: str, slug: str, code: str) -> dict[str, Any]:
    """The document-management export: the absorbed side's exchange XML, the survivor's portal API dump (JSON)."""
    if vendor == "absorbed":
        table = {"name": "van_ban", "path": f"estate/{slug}/van_ban/van_ban.xml", "records": "DanhSachVanBan/VanBan",
                 "declared_total": "DanhSachVanBan/@TongSo", "accept_short": WITHDRAWN_ACCEPTED,
                 "maps_to": "document", "columns": DOCUMENT_XML}
    else:
        table = {"name": "van_ban", "path": f"estate/{slug}/van_ban/van_ban.json", "records": "data.items",
                 "declared_total": "data.total", "encoding": "utf-8", "maps_to": "document", "columns": DOCUMENT_JSON}
    return {"name": f"{slug}_van_ban", "system": "Quản lý văn bản và điều hành", "province": code,
            "kind": "xml" if vendor == "absorbed" else "json", "strictness": "lenient", "tables": [table]}


def _files(scn: Scenario) -> dict[str, Any]:
    """The document exports' attachments: the column naming each document's file, relative to each province's
    ``van_ban/tep``."""
    sides = (("absorbed", scn.absorbed.slug), ("survivor", scn.survivor.slug))
    return {"path": "hopnhat-files", "folders": {f"{s}_van_ban": f"estate/{s}/van_ban/tep" for _, s in sides},
            "columns": {f"{s}_van_ban": {"van_ban": [ATTACHMENTS[v]]} for v, s in sides}}


def merger_document(scn: Scenario, scale: float, seed: int, db: dict[str, Any] | None,
                    encodings: dict[str, str], cursor: bool = False) -> dict[str, Any]:
    """The merger file as a plain dict (also used by tests). ``cursor``: the register's events read by their
    ``ngay_cap_nhat`` in delta runs."""
    register_db = db or {"kind": "sqlite", "path": f"estate/{scn.survivor.slug}/dancu.sqlite"}
    sources = [_register_source(scn, scn.absorbed.slug, None, encodings),
               *_foxpro_source(scn, scn.absorbed.slug, encodings),
               _register_source(scn, scn.survivor.slug, register_db, {}, cursor), *_other_sources(scn)]
    return {
        "version": 1,
        "merged_unit": {"province_code": scn.new_code, "name": scn.new_name, "cutover": "2025-07-01",
                        "old_provinces": [scn.absorbed.code, scn.survivor.code]},
        "store": {"path": "hopnhat.duckdb"},
        "evidence": {"split_hamlets": "estate/split_hamlets.csv", "split_map_sheets": "estate/split_map_sheets.csv"},
        "national_status": NATIONAL_STATUS,
        "files": _files(scn),
        "sources": sources,
    }


class _PlainDumper(yaml.SafeDumper):
    """No anchors/aliases: every table's mapping is written out in full."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_merger(path: Path, scn: Scenario, scale: float, seed: int, db: dict[str, Any] | None,
                 encodings: dict[str, str], cursor: bool = False) -> Path:
    doc = merger_document(scn, scale, seed, db, encodings, cursor)
    text = yaml.dump(doc, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, width=120)
    path.write_text(HEADER.format(scenario=scn.name, scale=scale, seed=seed) + text, encoding="utf-8")
    return path
