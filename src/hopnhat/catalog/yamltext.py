"""Safe YAML for the catalog's files, without implicit dates or floats.

``2025-02-30`` stays text and is checked (and named) like a cell instead of breaking the parser; ``3.200`` stays text
and is read as three thousand two hundred, as written in Vietnam, not 3.2.
"""

from __future__ import annotations

from typing import Any

import yaml


class TextLoader(yaml.SafeLoader):
    """A SafeLoader whose plain scalars that look like dates or decimals stay strings."""


TextLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:float")]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_text(text: str) -> Any:
    return yaml.load(text, Loader=TextLoader)
