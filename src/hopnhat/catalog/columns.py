"""The columns of the inventory sheet: one spec drives the template, the importer and the writer."""

from __future__ import annotations

from dataclasses import dataclass

SYSTEMS_SHEET = "HeThong"
DIGITISATION_SHEET = "SoHoa"
README_SHEET = "HuongDan"
LISTS_SHEET = "DanhMuc"
HEADER_ROW = 4  # rows 1-3: title, province code/name, survey date
FIRST_DATA_ROW = HEADER_ROW + 1


@dataclass(frozen=True)
class Column:
    field: str
    vi: str
    en: str
    type: str  # str | int | money | float | date | bool | list | kind | domain | hosting | phase
    required: bool = False
    help_vi: str = ""
    width: int = 16


_MONEY_HELP = "Ví dụ: 6 tỷ; 500 triệu; 1,2 tỷ đồng; 6.000.000.000"

COLUMNS: tuple[Column, ...] = (
    Column("id", "Mã hệ thống", "System id", "str", True, "Duy nhất trong tỉnh, ví dụ 49-TTHC", 12),
    Column("name", "Tên hệ thống", "System name", "str", True, "", 36),
    Column("kind", "Loại hệ thống", "Kind", "kind", True, "Một trong 12 hệ thống dùng chung hoặc CSDL chuyên ngành",
           30),
    Column("domain", "Lĩnh vực (CSDL chuyên ngành)", "Domain", "domain", False, "Bắt buộc với CSDL chuyên ngành", 22),
    Column("owner", "Đơn vị chủ quản", "Owner department", "str", True, "", 24),
    Column("vendor", "Nhà cung cấp", "Vendor", "str", False, "", 16),
    Column("hosting", "Hình thức triển khai", "Hosting", "hosting", True, "Tại chỗ / Trung tâm dữ liệu / Thuê dịch vụ"),
    Column("phase", "Giai đoạn", "Phase", "phase", False, "Chính thức / Thử nghiệm", 12),
    Column("in_operation_since", "Vận hành từ ngày", "In operation since", "date", False, "dd/mm/yyyy", 12),
    Column("support_end", "Hết hỗ trợ kỹ thuật (ngày)", "End of vendor support", "date", False,
           "Ngày nhà cung cấp/nền tảng ngừng hỗ trợ, dd/mm/yyyy", 12),
    Column("users", "Số người dùng", "Users", "int", True, "Tài khoản cán bộ và người dân đang dùng"),
    Column("records", "Số bản ghi", "Records", "int", True, "Hồ sơ, văn bản, bản ghi đang lưu"),
    Column("monthly_volume", "Lượng giao dịch/tháng", "Monthly volume", "int", True, "Hồ sơ/giao dịch mỗi tháng"),
    Column("storage_gb", "Dung lượng lưu trữ (GB)", "Storage (GB)", "float"),
    Column("capacity_users", "Năng lực thiết kế (người dùng)", "Design capacity (users)", "int"),
    Column("capacity_monthly", "Năng lực thiết kế (giao dịch/tháng)", "Design capacity (per month)", "int"),
    Column("capital_cost", "Vốn đầu tư (VNĐ)", "Capital cost (VND)", "money", False, _MONEY_HELP),
    Column("yearly_cost", "Chi phí vận hành/năm (VNĐ)", "Operating cost per year (VND)", "money", False, _MONEY_HELP),
    Column("lease_cost", "Giá thuê cả hợp đồng (VNĐ)", "Lease for the whole contract (VND)", "money", False,
           _MONEY_HELP),
    Column("lease_years", "Thời hạn thuê (năm)", "Lease term (years)", "float"),
    Column("lease_start", "Ngày bắt đầu thuê", "Lease start", "date", False, "dd/mm/yyyy", 12),
    Column("lease_end", "Ngày hết hạn hợp đồng", "Contract end", "date", False, "dd/mm/yyyy", 12),
    Column("security_level", "Cấp độ ATTT (NĐ 85)", "Security level (Decree 85)", "int", False, "1 đến 5", 10),
    Column("security_approved", "Đã phê duyệt HSĐXCĐ", "Level dossier approved", "bool", False, "Có / Không", 10),
    Column("integrations", "Kết nối (LGSP/NDXP, CSDL quốc gia)", "Integrations", "list", False,
           "Cách nhau bởi dấu ;", 34),
    Column("data_formats", "Định dạng dữ liệu", "Data formats", "list", False, "Ví dụ: PostgreSQL; CSV; Excel", 20),
    Column("encodings", "Bảng mã", "Encodings", "list", False, "Ví dụ: UTF-8; TCVN3; VNI", 14),
    Column("staff", "Số cán bộ vận hành", "Operating staff", "int", False, "", 10),
    Column("notes", "Ghi chú", "Notes", "str", False, "", 30),
)
BY_FIELD = {c.field: c for c in COLUMNS}

DIGITISATION_COLUMNS: tuple[Column, ...] = (
    Column("commune_code", "Mã xã (cũ)", "Old commune code", "str", True, "", 12),
    Column("commune_name", "Tên xã (cũ)", "Old commune name", "str", True, "", 28),
    Column("books_total", "Tổng số sổ hộ tịch", "Civil-status books", "int", True),
    Column("books_digitised", "Số sổ đã số hóa", "Books digitised", "int", True),
    Column("as_of", "Số liệu đến ngày", "As of", "date", True, "dd/mm/yyyy", 12),
)
