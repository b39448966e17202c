"""``hopnhat demo``: the whole product on a realistic merger, step by step."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.panel import Panel
from rich.table import Table

from hopnhat.cli.common import console, friendly_errors, say_skipped
from hopnhat.i18n import tr


@friendly_errors
def demo(
    out: Path = typer.Option(Path("demo-out"), "--out", help=tr("Thư mục kết quả.", "Output folder.")),
    rows: int = typer.Option(3000, "--rows", help=tr("Số địa chỉ mẫu mỗi cặp tỉnh.", "Sample addresses per pair.")),
    seed: int = typer.Option(7, "--seed", help=tr("Hạt giống ngẫu nhiên.", "Random seed.")),
    scale: float = typer.Option(0.002, "--scale", help=tr("Quy mô dữ liệu giả lập (1.0 ≈ 1 triệu nhân khẩu).",
                                                          "Estate scale (1.0 ≈ 1 M persons).")),
    web: bool = typer.Option(True, "--serve/--no-serve", help=tr("Mở ứng dụng web ở cuối.",
                                                                 "Open the web app at the end.")),
    port: int = typer.Option(8000, "--port", help=tr("Cổng của ứng dụng web.", "Web app port.")),
) -> None:
    """Chạy trình diễn đầy đủ / run the end-to-end demo of a provincial merger."""
    out.mkdir(parents=True, exist_ok=True)
    console.print(Panel.fit(tr(
        "hopnhat — trình diễn hợp nhất: Quảng Nam → Đà Nẵng, Kon Tum → Quảng Ngãi, Hải Dương → Hải Phòng",
        "hopnhat demo — mergers: Quảng Nam → Đà Nẵng, Kon Tum → Quảng Ngãi, Hải Dương → Hải Phòng")))
    estate = _estate(out, scale, seed)
    _scan(estate)
    _catalog(estate, out)
    _addresses(out, rows, seed)
    result = _migrate(estate, out)
    _linkage(result)
    _clerk_list(estate, out)
    _continuity(estate)
    _web(estate, port, web)


FORMS = {"csv": "CSV", "excel": "Excel", "database": "SQLite", "dbf": "FoxPro .dbf", "ndjson": "NDJSON",
         "xml": "XML", "json": "JSON API"}


def _estate(out: Path, scale: float, seed: int) -> Path:
    from hopnhat.demo.estate import build_estate

    console.rule(tr("Bước 1: hệ thống cũ của Quảng Nam và Đà Nẵng (dữ liệu giả lập có đáp án)",
                    "Step 1: the legacy systems of Quảng Nam and Đà Nẵng (synthetic, with known truth)"))
    result = build_estate("danang", scale, seed, out / "estate")
    table = Table(title=tr("Dữ liệu cũ", "Legacy estate"))
    for head in (tr("Bảng", "Table"), tr("Dạng", "Form"), tr("Số bản ghi", "Records")):
        table.add_column(head, justify="right" if head == tr("Số bản ghi", "Records") else "left", overflow="fold")
    for name, info in sorted(result.tables.items()):
        table.add_row(name, FORMS.get(info["kind"], info["kind"]), f"{info['rows']:,}")
    console.print(table)
    console.print(tr(f"  {result.rows:,} bản ghi trong {len(result.tables)} bảng → {result.out} (merger.yaml, "
                     "estate/, truth/); mỗi hồ sơ TTHC mang theo các bước xử lý, bước 4 đọc chúng thành dòng riêng",
                     f"  {result.rows:,} records in {len(result.tables)} tables → {result.out} (merger.yaml, "
                     "estate/, truth/); each TTHC dossier carries its processing steps, which step 4 reads as rows "
                     "of their own"))
    return result.out


def _scan(estate: Path) -> None:
    """``hopnhat init --scan`` on the estate's files, measured against the merger file written for them by hand."""
    from hopnhat.project.config import load_project
    from hopnhat.scan.api import scan
    from hopnhat.scan.compare import compare, label

    console.rule(tr("Bước 1b: soạn nháp merger.yaml từ các tệp (hopnhat init --scan), so với tệp viết tay",
                    "Step 1b: merger.yaml drafted from the files (hopnhat init --scan), against the hand-written one"))
    output = estate / "merger-draft.yaml"
    draft = scan(estate / "estate", output)
    output.write_text(draft.text, encoding="utf-8")
    agreement = compare(load_project(estate / "merger.yaml"), load_project(output))
    table = Table(title=tr("Bản nháp khớp với tệp viết tay", "The draft agrees with the hand-written file"))
    for head in (tr("Mục", "Item"), tr("Khớp", "Agreed"), "%"):
        table.add_column(head, justify="right" if head != tr("Mục", "Item") else "left")
    for item, tally in agreement.items.items():
        table.add_row(label(item), f"{tally.agreed}/{tally.total}", f"{tally.share:.0%}")
    console.print(table)
    checks = draft.text.count("# " + tr("kiểm tra:", "check:"))
    tables, maps_to, fields = (agreement.tally(i) for i in ("tables found", "maps_to", "fields"))
    console.print(tr(f"  Khớp: bảng {tables.agreed}/{tables.total}, maps_to {maps_to.agreed}/{maps_to.total}, trường "
                     f"{fields.agreed}/{fields.total}; {len(draft.sources)} nguồn, {checks} chỗ cần kiểm tra "
                     f"→ {output}",
                     f"  Agreement: tables {tables.agreed}/{tables.total}, maps_to {maps_to.agreed}/{maps_to.total}, "
                     f"fields {fields.agreed}/{fields.total}; {len(draft.sources)} sources, {checks} things to check "
                     f"→ {output}"), highlight=False, soft_wrap=True)


def _catalog(estate: Path, out: Path) -> None:
    from hopnhat.demo.estate import run_catalog

    console.rule(tr("Bước 2: kiểm kê, đánh giá, lộ trình", "Step 2: inventory, evaluation, roadmap"))
    summary = run_catalog(estate, out)
    table = Table(title=tr(f"{summary.systems} hệ thống — khuyến nghị", f"{summary.systems} systems — recommendations"))
    table.add_column(tr("Khuyến nghị", "Recommendation"))
    table.add_column(tr("Số hệ thống", "Systems"), justify="right")
    from hopnhat.catalog.kinds import label
    from hopnhat.cli.catalog import print_explanation

    for action, count in summary.actions.most_common():
        table.add_row(label("action", str(action)), str(count))
    console.print(table)
    for line in summary.tthc_reasons:
        console.print(f"  {line}", highlight=False)
    if summary.tthc_explanation is not None:
        print_explanation(summary.tthc_explanation)
    if summary.roadmap_xlsx and summary.explanation_html:
        console.print(f"  {tr('Lộ trình và giải trình (Excel)', 'Roadmap and explanation (Excel)')}: "
                      f"{summary.roadmap_xlsx}; {tr('giải trình mọi nhóm', 'every role explained')}: "
                      f"{summary.explanation_html}", highlight=False)
    console.print(f"  {summary.tasks} {tr('nhiệm vụ trong lộ trình', 'roadmap tasks')} → {summary.gantt_svg}")
    console.print(f"  {tr('Báo cáo giám sát', 'Monitoring report')}: {summary.report_html}, {summary.report_pdf}")


def _addresses(out: Path, rows: int, seed: int) -> None:
    from hopnhat.cli.units import status_label
    from hopnhat.demo.addresses import PAIRS, convert_sample
    from hopnhat.units.convert import STATUSES

    console.rule(tr("Bước 3: chuyển đổi địa chỉ cũ → đơn vị hành chính mới", "Step 3: old addresses → new units"))
    table = Table(title=tr("Địa chỉ cũ của ba cặp tỉnh hợp nhất", "Legacy addresses of the three merged pairs"))
    table.add_column(tr("Trạng thái", "Status"))
    samples = [convert_sample(s, rows, seed, out) for s in PAIRS]
    for sample in samples:
        table.add_column(sample.scenario, justify="right")
    for status in STATUSES:
        table.add_row(f"{status} — {status_label(status)}", *(f"{s.statuses[status]:,}" for s in samples))
    table.add_row(tr("giây", "seconds"), *(f"{s.seconds:.2f}" for s in samples))
    console.print(table)
    for sample in samples:
        for text, outcome, reason in sample.examples[:1]:
            console.print(f"  [bold]{sample.scenario}[/] {text!r} → {outcome}: {reason}", highlight=False)
        console.print(f"  → {sample.output}")


def _migrate(estate: Path, out: Path):  # type: ignore[no-untyped-def]
    from hopnhat.cli.migrate import RichProgress
    from hopnhat.cli.reconcile import balance_table
    from hopnhat.demo.estate import link_runs_to_catalog
    from hopnhat.project.config import load_project
    from hopnhat.run.runner import migrate

    console.rule(tr("Bước 4: di chuyển dữ liệu vào kho hợp nhất, đối soát", "Step 4: migrate into the unified store, "
                    "reconcile"))
    project = load_project(estate / "merger.yaml")
    with RichProgress() as progress:
        result = migrate(project, progress=progress, workers=2, lookup_index=True)
    console.print(balance_table(result.balances))
    totals = {k: sum(getattr(b, k) for b in result.balances) for k in ("read", "loaded", "merged", "quarantined")}
    verdict = tr("cân đối, không mất dòng nào", "balanced, no row lost") if result.balanced else tr(
        "KHÔNG cân đối", "NOT balanced")
    console.print(tr(f"  Đọc {totals['read']:,} = nạp {totals['loaded']:,} + gộp {totals['merged']:,} + cách ly "
                     f"{totals['quarantined']:,}: {verdict}",
                     f"  Read {totals['read']:,} = loaded {totals['loaded']:,} + merged {totals['merged']:,} + "
                     f"quarantined {totals['quarantined']:,}: {verdict}"), soft_wrap=True, highlight=False)
    _declared(project, result)
    console.print(f"  {tr('Kho hợp nhất', 'Unified store')}: {project.store_path}")
    console.print(f"  {tr('Báo cáo đối soát', 'Reconciliation report')}: {result.folder / 'reconcile.html'}")
    console.print(f"  {tr('Hồ sơ đang giải quyết cần giao lại', 'In-flight dossiers to reassign')}: "
                  f"{result.folder / 'in_flight.csv'}")
    report = link_runs_to_catalog(project, out, result.run_id)
    console.print(f"  {tr('Báo cáo giám sát (tiến độ đo từ lượt chạy)', 'Monitoring report (progress from the run)')}"
                  f": {report}")
    return result


def _declared(project, result) -> None:  # type: ignore[no-untyped-def]
    """The exports' own counts against the records read: the Quảng Nam exchange file declares one document more than
    it holds (a withdrawn one it never exports), acknowledged in merger.yaml with its reason and recorded in the
    audit chain, as ``hopnhat migrate`` does; the Quảng Nam marriage register's CSV report ends with its total and a
    signature block, read as what they are."""
    from hopnhat.cli.declared import record_acknowledgement

    own = _report_rows(project)
    for b in result.balances:
        c = b.declared
        if c is None:
            continue
        if c.status == "ok":
            console.print(f"  {b.source}/{b.table}: {c.words()}", highlight=False, soft_wrap=True)
            lines = own.get((b.source, b.table), 0)
            if lines:
                console.print(tr(f"    → {lines} dòng ký tên dưới dòng tổng cộng: cách ly là signature_block, không "
                                 "phải bản ghi, vẫn được tính trong sổ đối soát",
                                 f"    → {lines} lines of the signature block below the total: quarantined as "
                                 "signature_block, no records, still in the books"), highlight=False, soft_wrap=True)
            continue
        console.print(f"  [yellow]{b.source}/{b.table}:[/] {c.words()}", highlight=False, soft_wrap=True)
        if c.accepted is not None:
            seq = record_acknowledgement(project, c, result.run_id)
            console.print(tr(f"    → merger.yaml chấp nhận (accept_short): {c.accepted} — nhật ký kiểm toán mục #{seq}",
                             f"    → merger.yaml acknowledges it (accept_short): {c.accepted} — audit entry #{seq}"),
                          highlight=False, soft_wrap=True)


def _report_rows(project) -> dict[tuple[str, str], int]:  # type: ignore[no-untyped-def]
    """(source, table) → the lines of a report's own (footer totals, signature block) the run quarantined."""
    import duckdb

    from hopnhat.reconcile.declared import report_rows

    with duckdb.connect(str(project.store_path), read_only=True) as con:
        return report_rows(con)


def _linkage(result) -> None:  # type: ignore[no-untyped-def]
    console.rule(tr("Bước 5: liên kết — một người, một tổ chức, một thửa đất", "Step 5: linkage — one person, one "
                    "organisation, one parcel"))
    outcome = result.link
    if outcome is None:
        console.print(tr("  Liên kết đã tắt trong merger.yaml.", "  Linkage is disabled in merger.yaml."))
        return
    table = Table(title=tr("Bản ghi vàng (golden records)", "Golden records"))
    for head in (tr("Đối tượng", "Entity"), tr("Bản ghi nguồn", "Source records"), tr("Bản ghi vàng", "Golden"),
                 tr("Đã gộp", "Merged"), tr("Chờ rà soát (cặp)", "Review pairs"),
                 tr("Chờ chọn xã (tách)", "Split-commune reviews")):
        table.add_column(head, justify="right")
    for name, e in outcome.entities.items():
        table.add_row(name, f"{e.records:,}", f"{e.clusters:,}", f"{e.records - e.clusters:,}", f"{e.review_pairs:,}",
                      f"{e.review_units:,}")
    console.print(table)


def _clerk_list(estate: Path, out: Path) -> None:
    from hopnhat.cli.link import show_columns
    from hopnhat.demo.clerklist import link_clerk_list

    console.rule(tr("Bước 5a: danh sách Excel của bộ phận một cửa, liên kết riêng (hopnhat link persons)",
                    "Step 5a: a one-stop-shop's Excel list, linked on its own (hopnhat link persons)"))
    found = link_clerk_list(estate, out / "clerk-list")
    console.print(f"  {found.source}", highlight=False)
    say_skipped(found.above_header, "  ")
    show_columns(found.columns)
    for key, rows in found.repaired.items():
        console.print(tr(f"  Đọc lại {rows:,} ô {key} gõ bằng phông chữ cũ (TCVN3, VNI) trước khi liên kết.",
                         f"  Read back {rows:,} {key} cells typed with a legacy font (TCVN3, VNI) before linking."))
    pairs = found.quality.pairs
    console.print(tr(
        f"  {found.rows:,} dòng → {found.people:,} người ({found.linked_rows:,} dòng được liên kết); so với đáp án: "
        f"chính xác {pairs.precision:.3f}, độ phủ {pairs.recall:.3f}, F1 {pairs.f1:.3f} → {found.output}",
        f"  {found.rows:,} rows → {found.people:,} people ({found.linked_rows:,} rows linked); against the truth: "
        f"precision {pairs.precision:.3f}, recall {pairs.recall:.3f}, F1 {pairs.f1:.3f} → {found.output}"),
        highlight=False, soft_wrap=True)


def _continuity(estate: Path) -> None:
    from hopnhat.cli.migrate import RichProgress
    from hopnhat.demo.continuity import run_continuity, show

    console.rule(tr("Bước 5b: hệ thống cũ vẫn chạy — 3 ngày thay đổi, lượt chạy delta, diễn tập rồi chuyển đổi một "
                    "nguồn", "Step 5b: the old systems stay live — 3 days of change, a delta run, a rehearsed then "
                    "real cut-over of one source"))
    with RichProgress() as progress:
        outcome = run_continuity(estate, progress)
    show(outcome, console)


def _web(estate: Path, port: int, serve: bool) -> None:
    from hopnhat.cli.serve import serve as serve_app
    from hopnhat.demo.web import demo_accounts

    console.rule(tr("Bước 6: ứng dụng web — tra cứu, hồ sơ, rà soát, bảng điều khiển", "Step 6: the web app — "
                    "lookup, records, review, dashboards"))
    accounts = demo_accounts(estate)
    for name, role, password, scope in accounts:
        console.print(f"  {name} / {password}  ({role}{', ' + scope if scope else ''})", highlight=False)
    console.print(tr("  Mật khẩu tạm, in một lần: mỗi tài khoản phải đặt mật khẩu riêng khi đăng nhập lần đầu.",
                     "  Temporary passwords, printed once: each account sets its own at the first login."))
    _lookups(estate)
    if serve:
        serve_app(estate / "merger.yaml", host="127.0.0.1", port=port, store=None, catalog=None, certfile=None,
                  keyfile=None, https=False)
    else:
        console.print(tr(f"  Mở bằng: hopnhat serve {estate / 'merger.yaml'}",
                         f"  Open it with: hopnhat serve {estate / 'merger.yaml'}"))


def _lookups(estate: Path) -> None:
    """The lookup tried as clerks type (the index is built here, ready for the web app)."""
    from hopnhat.demo.lookups import try_lookups

    table = Table(title=tr("Tra cứu như cán bộ một cửa gõ", "The lookup as one-stop-shop clerks type"))
    for head in (tr("Cách gõ", "Typed as"), tr("Truy vấn", "Query"), tr("Hiểu là", "Read as"),
                 tr("Hạng của người cần tìm", "Rank of the person meant"), tr("Kết quả", "Results")):
        table.add_column(head)
    for t in try_lookups(estate):
        table.add_row(t.what, t.query, t.reading, str(t.rank) if t.rank else tr("không thấy", "not found"),
                      str(t.results))
    console.print(table)
