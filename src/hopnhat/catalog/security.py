"""Decree 85/2016/NĐ-CP security levels for a merged system: the level it needs and what that obliges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hopnhat.catalog.fmt import num_en, num_vi
from hopnhat.catalog.model import System
from hopnhat.catalog.settings import CatalogSettings


@dataclass(frozen=True)
class SecurityNeed:
    level: int
    merged_users: int
    crossed: bool  # the merged user count pushes the level above every candidate's current level
    threshold: int | None

    def obligations(self) -> list[tuple[str, str]]:
        out = []
        if self.crossed:
            out.append((
                f"Tổng người dùng sau hợp nhất {num_vi(self.merged_users)} ≥ {num_vi(self.threshold or 0)}: "
                f"phải xác định lại cấp độ "
                f"{self.level}, lập hồ sơ đề xuất cấp độ và được thẩm định, phê duyệt trước khi vận hành hợp nhất",
                f"Merged users {num_en(self.merged_users)} ≥ {num_en(self.threshold or 0)}: "
                f"the system must be re-classified at level "
                f"{self.level}, its level dossier appraised and approved before the merged system goes live"))
        if self.level >= 3:
            out.append((f"Áp dụng phương án bảo đảm an toàn cấp độ {self.level} (TT 12/2022/TT-BTTTT): giám sát, "
                        "kiểm tra đánh giá định kỳ",
                        f"Apply the level-{self.level} security measures (Circular 12/2022/TT-BTTTT): monitoring and "
                        "periodic assessment"))
        if self.level >= 4:
            out.append(("Hồ sơ cấp độ 4 trở lên do cơ quan chuyên trách ATTT cấp trung ương thẩm định",
                        "Level 4+ dossiers are appraised by the national information-security authority"))
        out.append(("Lưu nhật ký hệ thống tối thiểu 12 tháng", "Keep system logs for at least 12 months"))
        return out


def _threshold_level(users: int, settings: CatalogSettings) -> tuple[int, int | None]:
    hits = [(level, n) for level, n in settings.decree85_user_thresholds.items() if users >= n]
    return max(hits) if hits else (0, None)


def security_need(systems: Sequence[System], settings: CatalogSettings) -> SecurityNeed:
    """The level the merged system needs: the highest current level, raised by the merged user count."""
    current = max((s.security_level or 1 for s in systems), default=1)
    users = sum(s.users for s in systems)
    by_users, threshold = _threshold_level(users, settings)
    crossed = by_users > current
    return SecurityNeed(max(current, by_users), users, crossed, threshold if crossed else None)
