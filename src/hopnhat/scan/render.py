"""The draft as merger.yaml text: the shape ``hopnhat init`` and the demo write, a comment on every guess (``#
kiểm tra: …`` where the scan is unsure), every source column left unmapped listed under its table."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from hopnhat.i18n import tr
from hopnhat.scan.guess import Guess, encodings, short
from hopnhat.scan.sample import Sampled
from hopnhat.scan.sources import FilesDraft, SourceDraft, relative

NATIONAL_STATUS = {1: "Mới đăng ký", 2: "Được tiếp nhận", 3: "Không được tiếp nhận", 4: "Đang xử lý",
                   5: "Yêu cầu bổ sung giấy tờ", 6: "Yêu cầu thực hiện nghĩa vụ tài chính",
                   7: "Công dân yêu cầu rút hồ sơ", 8: "Dừng xử lý", 9: "Đã xử lý xong", 10: "Đã trả kết quả"}


def scalar(value: Any) -> str:
    """One YAML value on one line (flow style for lists and mappings, quoted when YAML needs it)."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1 << 20, sort_keys=False)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def check(text: str) -> str:
    return tr("kiểm tra: ", "check: ") + text


def printable(text: str) -> str:
    """A comment's text with the characters YAML refuses even in a comment (a TCVN3 capital on a control code,
    ``\x01``) written as escapes."""
    return "".join(c if c.isprintable() or c == "\t" else f"\\x{ord(c):02x}" for c in text)


def named(sampled: Sampled, column: str) -> str:
    """A column as a comment names it: its repaired reading, and its name as read when that differs
    (``ĐỊA CHỈ`` = ``§‘A CHŽ``)."""
    readable = sampled.readable.get(column, column)
    return column if readable == column else f"{readable} (= {scalar(column)})"


class Lines:
    """Lines of YAML with their comments."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, indent: int, text: str, comment: str | None = None) -> None:
        line = " " * indent + text
        self.lines.append(f"{line}  # {printable(comment)}" if comment else line)

    def comment(self, indent: int, text: str) -> None:
        self.lines.append(" " * indent + "# " + printable(text))

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _header(out: Lines, root: Path, base: Path, files: int) -> None:
    out.comment(0, tr(f"Bản nháp merger.yaml do `hopnhat init --scan {relative(root, base)}` viết ngày "
                      f"{date.today().isoformat()} từ {files} tệp dữ liệu.",
                      f"Draft merger file written by `hopnhat init --scan {relative(root, base)}` on "
                      f"{date.today().isoformat()} from {files} data files."))
    out.comment(0, tr("Xem lại mọi dòng '# kiểm tra:' và các cột chưa ánh xạ, rồi chạy: hopnhat migrate merger.yaml",
                      "Review every '# check:' line and the columns left unmapped, then run: hopnhat migrate "
                      "merger.yaml"))
    out.add(0, "version: 1")


def _merged_unit(out: Lines, unit: dict[str, Any], unsure: str | None) -> None:
    out.add(0, "merged_unit:", check(unsure) if unsure else tr("đoán từ tên thư mục", "told by the folder names"))
    for key, value in unit.items():
        out.add(2, f"{key}: {scalar(value)}")


def _top(out: Lines, evidence: dict[str, str]) -> None:
    out.add(0, "store:")
    out.add(2, "path: hopnhat.duckdb")
    if evidence:
        out.add(0, "evidence:", tr("danh sách tách xã tìm thấy", "split-commune lists found"))
        for key, path in evidence.items():
            out.add(2, f"{key}: {scalar(path)}")
    out.add(0, "national_status:")
    for code, name in NATIONAL_STATUS.items():
        out.add(2, f"{code}: {name}")


def _encoding_lines(out: Lines, guess: Guess) -> None:
    found = encodings(guess.sampled)
    legacy = {c: ev for c, ev in found.evidence.items() if ev[0] not in ("utf-8", "ascii")}
    if found.encoding is not None:
        shown = [f"{named(guess.sampled, c)} {e} {conf:.2f}" for c, (e, conf) in (legacy or found.evidence).items()][:3]
        note = tr("phát hiện trên mẫu (cột, bảng mã, độ tin cậy): ", "detected on the sample (column, encoding, "
                  "confidence): ") + "; ".join(shown)
        out.add(4, f"encoding: {scalar(found.encoding)}", check(found.check) if found.check else note)
    elif found.check:
        out.comment(4, check(found.check))
    if found.columns:
        out.add(4, f"column_encodings: {scalar(found.columns)}")


def _placement(out: Lines, guess: Guess) -> None:
    sampled = guess.sampled
    if sampled.header_rows is not None:
        note = tr("dòng tiêu đề tìm thấy dưới khối tiêu đề / hai dòng tiêu đề",
                  "header row found below a title block / two header rows")
        out.add(4, f"header_rows: {scalar(sampled.header_rows)}", note)
        out.add(4, f"data_start_row: {sampled.data_start_row}")


def _table(out: Lines, guess: Guess, base: Path, source: SourceDraft) -> None:
    sampled = guess.sampled
    out.add(2, f"- name: {scalar(sampled.name)}")
    if source.kind == "sqlite":
        out.add(4, f"table: {scalar(sampled.table)}")
    else:
        out.add(4, f"path: {scalar(relative(sampled.file, base))}")
    if sampled.sheet is not None:
        out.add(4, f"sheet: {scalar(sampled.sheet)}")
    if sampled.delimiter is not None:
        out.add(4, f"delimiter: {scalar(sampled.delimiter)}")
    if sampled.records is not None:
        unsure = tr("các bản ghi có đúng nằm ở đây?", "are the records here?")
        out.add(4, f"records: {scalar(sampled.records)}", None if sampled.records_sure else check(unsure))
    if sampled.declared_total is not None:
        out.add(4, f"declared_total: {scalar(sampled.declared_total)}",
                tr("số bản ghi tệp tự khai báo: lượt chạy so với số đọc được",
                   "the count the export declares: a run compares it with the records read"))
    _placement(out, guess)
    _encoding_lines(out, guess)
    recognised = tr(f"{len(guess.fields)} trường nhận ra trên {sampled.rows} dòng mẫu",
                    f"{len(guess.fields)} fields recognised on {sampled.rows} sampled rows")
    out.add(4, f"maps_to: {guess.maps_to}", check(guess.entity_check) if guess.entity_check else recognised)
    if guess.cursor:
        out.add(4, f"cursor: {scalar(guess.cursor)}", check(tr("cột này tăng mỗi lần dòng được sửa?",
                                                               "does this column move on every write?")))
    if sampled.explode:
        out.add(4, f"explode: {scalar(sampled.explode)}")
    _columns(out, guess)


def _columns(out: Lines, guess: Guess) -> None:
    out.add(4, "columns:")
    if guess.source_key is not None:
        notes = [guess.sampled.readable[guess.source_key]] if guess.source_key in guess.sampled.readable else []
        notes += [check(guess.key_check)] if guess.key_check else []
        out.add(6, f"source_key: {scalar(guess.source_key)}", "; ".join(notes) or None)
    for name, mapped in guess.fields.items():
        readable = [guess.sampled.readable[c] for c in mapped.columns if c in guess.sampled.readable]
        notes = [", ".join(readable)] if readable else []  # a legacy header as it reads, beside its name as read
        notes += [check(mapped.check)] if mapped.check else []
        out.add(6, f"{name}: {scalar(short(mapped))}", "; ".join(notes) or None)
    if guess.attachments:
        out.comment(4, tr("cột tên tệp đính kèm (files.columns): ", "columns naming attachments (files.columns): ")
                    + ", ".join(named(guess.sampled, c) for c in guess.attachments))
    if guess.unmapped:
        out.comment(4, tr("cột chưa ánh xạ: ", "columns not mapped: ")
                    + ", ".join(named(guess.sampled, c) for c in guess.unmapped))


def _unmapped_tables(out: Lines, tables: list[Guess], base: Path, indent: int) -> None:
    for guess in tables:
        sampled = guess.sampled
        where = relative(sampled.file, base) + (f" [{sampled.sheet or sampled.table}]"
                                                if sampled.sheet or sampled.table else "")
        out.comment(indent, tr(f"bảng chưa ánh xạ (không nhận ra đối tượng): {where}; cột: ",
                               f"table not mapped (no entity recognised): {where}; columns: ")
                    + ", ".join(named(sampled, c) for c in sampled.columns[:30]))


def _source(out: Lines, source: SourceDraft, base: Path) -> None:
    out.add(0, f"- name: {source.name}")
    out.add(2, f"system: {scalar(source.system)}", tr("đoán theo loại dữ liệu", "told by its data"))
    if source.province:
        out.add(2, f"province: {scalar(source.province)}", tr("tỉnh cũ theo tên thư mục", "old province by folder"))
    else:
        out.comment(2, check(tr("province: mã tỉnh cũ của nguồn này", "province: this source's old province code")))
    out.add(2, f"kind: {source.kind}")
    if source.path is not None:
        out.add(2, f"path: {scalar(relative(source.path, base))}")
    out.add(2, "strictness: lenient")
    if source.lookups:
        out.add(2, "lookups:")
        for name, spec in source.lookups.items():
            out.add(4, f"{name}: {scalar(spec)}", tr("bảng mã đơn vị tiếp nhận", "the receiving units' code list"))
    out.add(2, "tables:")
    for guess in source.tables:
        _table(out, guess, base, source)
    _unmapped_tables(out, source.unmapped_tables, base, 2)


def _files(out: Lines, drafted: FilesDraft) -> None:
    if not drafted.folders:
        return
    out.add(0, "files:", tr("tệp đính kèm mà bản ghi ghi tên", "the attachments records name"))
    out.add(2, "path: hopnhat-files")
    out.add(2, "folders:")
    for source, folder in drafted.folders.items():
        out.add(4, f"{source}: {scalar(folder)}")
    out.add(2, "columns:")
    for source, tables in drafted.columns.items():
        out.add(4, f"{source}:")
        for table, columns in tables.items():
            out.add(6, f"{scalar(table)}: {scalar(columns)}")


def render(root: Path, base: Path, files: int, unit: tuple[dict[str, Any], str | None], evidence: dict[str, str],
           sources: list[SourceDraft], unmapped: list[Guess], drafted: FilesDraft) -> str:
    """The merger file's text."""
    out = Lines()
    _header(out, root, base, files)
    _merged_unit(out, *unit)
    _top(out, evidence)
    _files(out, drafted)
    out.add(0, "sources:")
    for source in sources:
        _source(out, source, base)
    _unmapped_tables(out, unmapped, base, 0)
    return out.text()
