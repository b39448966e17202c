"""The blind population: ``people`` people of the new Hưng Yên (old Hưng Yên + Thái Bình) in five registers, written
apart from hopnhat's linker, its synth generator and bench/population (see SOURCE.md for what was read).

    .venv/bin/python -m bench.blind.generate --people 100000 --seed 11 --out /tmp/blind

Writes ``input.parquet`` (full_name, dob, sex, id_number, phone, address: strings as the registers wrote them),
``truth.parquet`` (row-aligned: entity, household, register, noises, relation) and ``people.parquet`` (the true
values of each person, for tests and inspection). Same people + seed → byte-identical files.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from bench.blind import noise, registers
from bench.blind.people import Person, Unit, draw

GENERATOR_VERSION = 1
COLUMNS = ("full_name", "dob", "sex", "id_number", "phone", "address")
TRUTH = ("entity", "household", "register", "noises", "relation")


def record(rng: random.Random, p: Person, reg: registers.Register, first: bool, household: list[Person],
           units: list[Unit]) -> tuple[str, ...]:
    """One record of ``p`` in ``reg``: the six input columns, then register, noises."""
    has_phone = rng.random() < reg.phone_share
    kinds = [] if first else noise.draw(rng, registers.eligible(p, reg, has_phone))
    chosen = set(kinds)
    return (registers.name(rng, p, reg, chosen), registers.dob(p, reg, chosen), registers.sex(p, reg, chosen),
            registers.id_number(rng, p, chosen),
            registers.phone(rng, p, reg, chosen, household) if has_phone else "",
            registers.address(rng, p, reg, chosen, units), reg.name, ";".join(kinds))


def records(people: list[Person], units: list[Unit], seed: int) -> list[tuple[str, ...]]:
    rng = random.Random(seed * 7919 + 1)
    households: dict[int, list[Person]] = {}
    for p in people:
        households.setdefault(p.household, []).append(p)
    rows = []
    for p in people:
        relation = "twin" if p.twin else "namesake" if p.namesake else ""
        for i, reg in enumerate(registers.memberships(rng, p, units)):
            rows.append((*record(rng, p, reg, i == 0, households[p.household], units),
                         f"B{p.pid:07d}", f"H{p.household:06d}", relation))
    rng.shuffle(rows)  # registers are not sorted by person
    return rows


def generate(people: int, seed: int, out: Path) -> tuple[Path, Path]:
    persons, units = draw(people, seed)
    rows = records(persons, units, seed)
    cols = list(zip(*rows, strict=True))
    data = dict(zip((*COLUMNS, "register", "noises", "entity", "household", "relation"), cols, strict=True))
    out.mkdir(parents=True, exist_ok=True)
    inp, truth = out / "input.parquet", out / "truth.parquet"
    write(pa.table({c: pa.array(data[c], pa.string()) for c in COLUMNS}), inp)
    write(pa.table({c: pa.array(data[c], pa.string()) for c in TRUTH}), truth)
    write(people_table(persons, units), out / "people.parquet")
    return inp, truth


def people_table(persons: list[Person], units: list[Unit]) -> pa.Table:
    fields = ("family", "middle", "given", "sex", "year", "month", "day", "cccd", "cmnd", "phone", "hamlet",
              "new_commune", "twin", "namesake")
    table = {f: [getattr(p, f) for p in persons] for f in fields}
    table["entity"] = [f"B{p.pid:07d}" for p in persons]
    table["household"] = [f"H{p.household:06d}" for p in persons]
    table["old_commune"] = [units[p.unit].commune for p in persons]
    table["old_province_code"] = [units[p.unit].province_code for p in persons]
    return pa.table(table)


def write(table: pa.Table, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp, compression="zstd", row_group_size=1 << 20)
    tmp.replace(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate(args.people, args.seed, args.out)


if __name__ == "__main__":
    main()
