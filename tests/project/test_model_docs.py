"""docs/unified-model.md is generated from the schema and kept current."""

from pathlib import Path

from hopnhat.model.docs import render


def test_unified_model_doc_is_current() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "unified-model.md"
    assert doc.read_text(encoding="utf-8") == render(), "run: python -m hopnhat.model.docs > docs/unified-model.md"
