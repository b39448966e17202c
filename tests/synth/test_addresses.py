import random

import pytest

from hopnhat.synth.addresses import STYLES, hamlets_of, render_address, split_assignment
from hopnhat.units.reference import reference


def _commune(code_prefix: str = "49"):
    return sorted(reference().communes_in("old", code_prefix), key=lambda u: u.code)[3]


@pytest.mark.parametrize("style", STYLES)
def test_every_style_renders_deterministically(style: str) -> None:
    commune = _commune()
    a = render_address(commune, style, random.Random(1), "Thôn 3")
    b = render_address(commune, style, random.Random(1), "Thôn 3")
    assert a == b and a.lower().startswith(("thôn 3", "thon 3"))


def test_styles_look_as_named() -> None:
    commune, rng = _commune(), random.Random(2)
    assert render_address(commune, "no_diacritics", rng).isascii()
    upper = render_address(commune, "upper", rng)
    assert upper == upper.upper()
    assert "Tỉnh Quảng Nam" not in render_address(commune, "no_province", rng)
    assert render_address(commune, "abbrev", rng).split(", ")[0].startswith(("P. ", "X. ", "TT. "))


def test_numpy_generator_is_accepted() -> None:
    import numpy as np

    assert render_address(_commune(), "typo", np.random.default_rng(3))


def test_unknown_style_is_refused() -> None:
    with pytest.raises(ValueError):
        render_address(_commune(), "fancy", random.Random(0))


def test_split_assignment_covers_every_candidate() -> None:
    ref = reference()
    assignment = split_assignment(["30", "31"], 5)
    split = {code for code, _ in assignment}
    assert len(split) > 30
    for code in split:
        candidates = {link.new_code for link in ref.links[code]}
        assert {n for (c, _), n in assignment.items() if c == code} == candidates


def test_hamlets_are_stable() -> None:
    assert hamlets_of(_commune()) == hamlets_of(_commune())
