"""Shared helpers for the admin-unit tools: reading the unit lists and the lineage, and
comparing unit names.

Standard library only. Paths are relative to `data/admin-units/` (the parent of this folder).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
UNITS_2024 = DATA / "units-2024.csv"
UNITS_2025 = DATA / "units-2025.csv"
LINEAGE = DATA / "commune-2024-to-2025.csv"
LINEAGE_HEADER = ["old_commune_code", "new_commune_code"]

# Type prefixes of commune-level (and province-level) names, longest first.
PREFIXES = [
    "thành phố trung ương",
    "thành phố",
    "thị trấn",
    "thị xã",
    "đặc khu",
    "phường",
    "huyện",
    "quận",
    "tỉnh",
    "xã",
]

# Vietnamese tone marks (combining characters after NFD). Other marks (circumflex, breve,
# horn, the stroke of đ) are part of the letter and kept.
# Typographic variants seen across sources: dashes and apostrophes.
PUNCT = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2019": "'", "\u2018": "'", "\u02bc": "'"})

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _syllable_key(s: str) -> str:
    """A syllable with its tone mark moved to the end, so that `thuỷ` and `thủy`, `hoà` and
    `hòa` (old and new placement of the mark) compare equal."""
    d = unicodedata.normalize("NFD", s)
    tones = [c for c in d if c in TONES]
    base = unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES))
    return base + "".join(tones)


def name_key(name: str, strip_prefix: bool = True) -> str:
    """Comparison key of a unit name: NFC, case-insensitive, blanks collapsed, blanks around
    hyphens dropped, tone-mark placement ignored and, unless told otherwise, the type prefix
    (Xã, Phường, Thị trấn, Đặc khu, ...) dropped."""
    s = unicodedata.normalize("NFC", name).lower().strip()
    s = s.translate(PUNCT)
    s = re.sub(r"\s*-\s*", "-", s)
    s = re.sub(r"\s+", " ", s)
    if strip_prefix:
        for p in PREFIXES:
            if s.startswith(p + " "):
                s = s[len(p) + 1 :]
                break
    return " ".join(_syllable_key(w) for w in s.split(" "))


@dataclass
class Unit:
    level: str
    code: str
    name: str
    division_type: str
    parent_code: str
    province: str = ""


@dataclass
class UnitList:
    provinces: dict[str, Unit] = field(default_factory=dict)
    districts: dict[str, Unit] = field(default_factory=dict)
    communes: dict[str, Unit] = field(default_factory=dict)


def read_units(path: Path) -> UnitList:
    out = UnitList()
    with path.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            u = Unit(r["level"], r["code"], r["name"], r["division_type"], r["parent_code"])
            {"province": out.provinces, "district": out.districts, "commune": out.communes}[u.level][u.code] = u
    for u in out.provinces.values():
        u.province = u.code
    for u in out.districts.values():
        u.province = u.parent_code
    for u in out.communes.values():
        if u.parent_code in out.provinces:
            u.province = u.parent_code
        elif u.parent_code in out.districts:
            u.province = out.districts[u.parent_code].parent_code
    return out


def read_lineage(path: Path = LINEAGE) -> list[tuple[str, str]]:
    """The lineage rows in file order, as (old code, new code)."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != LINEAGE_HEADER:
        raise SystemExit(f"{path}: header must be {','.join(LINEAGE_HEADER)}, found {rows[:1]}")
    out = []
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != 2:
            raise SystemExit(f"{path}:{i}: two columns expected, found {r}")
        out.append((r[0], r[1]))
    return out


def lineage_map(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    m: dict[str, list[str]] = defaultdict(list)
    for old, new in rows:
        m[old].append(new)
    return m


def write_lineage(rows: list[tuple[str, str]], path: Path = LINEAGE) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(LINEAGE_HEADER)
        w.writerows(rows)
