"""The scan tests read the draft's Vietnamese comments: each starts in Vietnamese whatever a test before it (a CLI
call with ``--lang en``) left as the language of the process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hopnhat.i18n import set_language


@pytest.fixture(autouse=True)
def vietnamese() -> Iterator[None]:
    set_language("vi")
    yield
    set_language("vi")
