"""The commented starting merger file written by ``hopnhat init``."""

TEMPLATE = """\
# hopnhat merger project — one file describes the whole migration of a merged province.
# Paths are relative to this file. Validate and run with:  hopnhat migrate merger.yaml
version: 1

merged_unit:
  province_code: '48'            # NEW province code (version new), 2 digits
  name: Thành phố Đà Nẵng
  cutover: '2025-07-01'          # the day the merger took effect (in-flight dossiers are counted here)
  old_provinces: ['48', '49']    # OLD province codes merged into it

store:
  path: hopnhat.duckdb           # the unified store (DuckDB file); publish to PostgreSQL with `hopnhat publish`
  app_db: hopnhat-app.sqlite     # users, API tokens and the audit log of the web app

evidence:                        # published lists that settle split communes (optional)
  split_hamlets: null            # CSV: old_commune_code, hamlet, new_commune_code
  split_map_sheets: null         # CSV: old_commune_code, map_sheet, new_commune_code

national_status:                 # TTHC national status codes (for reference in reports)
  1: Mới đăng ký
  2: Được tiếp nhận
  3: Không được tiếp nhận
  4: Đang xử lý
  5: Yêu cầu bổ sung giấy tờ
  6: Yêu cầu thực hiện nghĩa vụ tài chính
  7: Công dân yêu cầu rút hồ sơ
  8: Dừng xử lý
  9: Đã xử lý xong
  10: Đã trả kết quả

linkage:
  enabled: true
  match_threshold: 0.95          # above: linked automatically
  review_threshold: 0.6          # between the two: sent to the review queue
  unanchored: review             # tied by name + birth date alone (as namesakes are): review | only_candidate
                                 # (review links them only where the data's own CCCDs say such pairs are one person)

sources:
  # kind: csv | tsv | excel | ndjson | json | parquet | dbf | sqlite | postgresql | mysql | mariadb
  # strictness: strict (a row with any unusable value goes to quarantine) | lenient (value left empty, problem logged)
  - name: tinh_a_dancu
    system: Hộ tịch - dân cư
    province: '49'               # OLD province code of this source
    kind: csv
    strictness: lenient
    tables:
      - name: nhan_khau
        path: data/nhan_khau.csv
        encoding: tcvn3          # utf-8 | tcvn3 | vni | viscii | viqr | cp1258 | cp1258-decomposed; omit: detected
        # column_encodings: {HoTen: vni}
        # maps_to: person | person_event | organization | dossier | dossier_history | parcel | civil_servant | document
        maps_to: person
        columns:
          source_key: MaCongDan  # the row's key in the source system (required)
          full_name: HoTen       # short form: the source column
          birth_date: {column: NgaySinh, type: date, formats: [dd/mm/yyyy, yyyy, excel_serial]}
          sex: GioiTinh
          id_number: {column: SoCMND_CCCD, type: id_number}
          phone: {column: DienThoai, type: phone}
          address: {column: NoiThuongTru, type: admin_address, version: old}
  # - name: tinh_b_dancu
  #   system: Hộ tịch - dân cư
  #   province: '48'
  #   kind: postgresql
  #   dsn: postgresql+psycopg://reader:***@10.0.0.5/dancu
  #   tables:
  #     - name: cong_dan
  #       table: cong_dan        # or query: SELECT ...
  #       maps_to: person
  #       cursor: updated_at     # optional: a column every write moves forward; a delta then reads only the rows
  #                              # at or past the last load's mark (a row changed without it moving: only --fresh)
  #       columns:
  #         source_key: id
  #         full_name: ho_ten
  #         commune: {column: ma_xa, type: admin_code, version: old}
"""
