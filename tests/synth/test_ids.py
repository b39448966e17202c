from hopnhat.synth import ids


def test_mst_known_numbers() -> None:
    assert ids.mst_is_valid("0100233488")
    assert ids.mst_is_valid("0314409058-002")
    assert not ids.mst_is_valid("0100233480")
    assert not ids.mst_is_valid("0314409058-000")


def test_mst_never_needs_check_ten() -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    for _ in range(500):
        code = ids.mst("40", rng)
        assert len(code) == 10 and code.startswith("40") and ids.mst_is_valid(code)


def test_cccd_structure() -> None:
    assert ids.cccd("49", 1985, False, 123) == "049085000123"
    assert ids.cccd("48", 2003, True, 5)[3] == "3"
    assert ids.century_sex_digit(1999, True) == 1
