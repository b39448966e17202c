"""Vietnamese text: Unicode normalisation, tone placement, ASCII folding and matching keys."""

from hopnhat.text.normalize import accent_key, fold, name_key, nfc, official_tones

__all__ = ["accent_key", "fold", "name_key", "nfc", "official_tones"]
