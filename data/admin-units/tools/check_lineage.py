#!/usr/bin/env python3
"""Checks the 2024 → 2025 commune lineage (`commune-2024-to-2025.csv`) against the two unit lists.

Rules (a broken rule makes the exit status 1):

1. successors: every new code is a commune of the 2025 list, every old code a commune of the
   2024 list, and no pair is repeated;
2. same code, same name: a 2024 commune whose code is also a 2025 commune of the same name
   (NFC, case-insensitive, type prefix such as Xã/Phường/Thị trấn/Đặc khu ignored, tone-mark
   placement ignored) has that commune as a successor. The registry places a household recorded
   under an old code in the successor that kept its code when there is one, else in the first in
   code order (`crates/store/src/units.rs`, `Placer::place`; `crates/core/src/units.rs`), so a
   split commune that kept its code keeps its households;
3. provinces: a 2024 province maps to exactly one 2025 province (2025 provinces are unions of
   2024 ones, Resolution 202/2025/QH15); the province a 2024 province maps to is derived from the
   data (the 2025 province most of its communes' successors are in) and every successor of its
   communes must be in it.

Reported without failing: 2024 communes with no successor, by province. Those listed in
`UNMAPPED_NO_SOURCE` below are "unmapped (no source)": no maintained source gives their successor
(see `docs/admin-units.md`); any other unmapped commune is a failure.

Usage: python3 data/admin-units/tools/check_lineage.py [--quiet] [--lineage PATH]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from units_lib import LINEAGE, UNITS_2024, UNITS_2025, name_key, read_lineage, read_units  # noqa: E402

# 2024 communes that no maintained source maps to a 2025 commune, with why. Keep in step with
# the table in docs/admin-units.md.
UNMAPPED_NO_SOURCE: dict[str, str] = {
    "16411": "Xã Đông Xuân (TP Thanh Hóa): merged before 1 July 2025; in neither the NSO conversion "
    "table (vietnam-provinces 2026.9.0) nor any alias of the pre-July-2025 list (vietnamadminunits 1.0.4) "
    "nor vietnam-address-converter 1.0.5",
    "25186": "Xã Phù Mỹ (Huyện Đạ Huoai): merged before 1 July 2025; in neither the NSO conversion "
    "table (vietnam-provinces 2026.9.0) nor any alias of the pre-July-2025 list (vietnamadminunits 1.0.4) "
    "nor vietnam-address-converter 1.0.5",
}


def check(lineage_path: Path, quiet: bool = False) -> int:
    u24 = read_units(UNITS_2024)
    u25 = read_units(UNITS_2025)
    rows = read_lineage(lineage_path)
    failures = 0

    def fail(rule: str, msg: str) -> None:
        nonlocal failures
        failures += 1
        print(f"FAIL [{rule}] {msg}")

    # Rule 1: codes exist, pairs unique.
    seen = Counter(rows)
    for pair, n in sorted(seen.items()):
        if n > 1:
            fail("successors", f"{pair[0]} -> {pair[1]} appears {n} times")
    succ: dict[str, list[str]] = defaultdict(list)
    for old, new in rows:
        if old not in u24.communes:
            fail("successors", f"{old} -> {new}: {old} is not a commune of the 2024 list")
            continue
        if new not in u25.communes:
            fail("successors", f"{old} -> {new}: {new} is not a commune of the 2025 list")
            continue
        if new not in succ[old]:
            succ[old].append(new)
    for v in succ.values():
        v.sort()

    # Rule 2: a code that names the same commune in both lists maps to itself, first.
    same_code_same_name = 0
    placed_elsewhere: list[str] = []
    for code, c in sorted(u24.communes.items()):
        n = u25.communes.get(code)
        if n is None or name_key(n.name) != name_key(c.name):
            continue
        same_code_same_name += 1
        s = succ.get(code, [])
        if not s:
            continue  # reported as unmapped below
        if code not in s:
            fail(
                "same code, same name",
                f"{code} {c.name} is also 2025 {code} {n.name} but maps to "
                + ", ".join(f"{x} {u25.communes[x].name}" for x in s),
            )
        elif False:  # the commune's own code is placed first (see rule 2)
            placed_elsewhere.append(
                f"{code} {c.name} maps to itself and to " + ", ".join(f"{x} {u25.communes[x].name}" for x in s if x != code)
                + f": its households are placed in the first, {s[0]} {u25.communes[s[0]].name}"
            )

    # Rule 3: each 2024 province maps into one 2025 province.
    targets: dict[str, Counter] = defaultdict(Counter)
    for old, news in succ.items():
        for new in news:
            targets[u24.communes[old].province][u25.communes[new].province] += 1
    image: dict[str, str] = {}
    for p24, cnt in sorted(targets.items()):
        (p25, top), *rest = cnt.most_common()
        if rest and rest[0][1] == top:
            fail("provinces", f"2024 province {p24} has no majority 2025 province: {dict(cnt)}")
            continue
        image[p24] = p25
    for old, news in sorted(succ.items()):
        p24 = u24.communes[old].province
        for new in news:
            p25 = u25.communes[new].province
            if p24 in image and p25 != image[p24]:
                fail(
                    "provinces",
                    f"{old} {u24.communes[old].name} (2024 province {p24}, which became {image[p24]} "
                    f"{u25.provinces[image[p24]].name}) -> {new} {u25.communes[new].name} in province {p25}",
                )
    for p24 in sorted(u24.provinces):
        if p24 not in image:
            fail("provinces", f"2024 province {p24} {u24.provinces[p24].name}: no commune of it is mapped")
    merged: dict[str, list[str]] = defaultdict(list)
    for p24, p25 in image.items():
        merged[p25].append(p24)
    for p25 in sorted(u25.provinces):
        if p25 not in merged:
            fail("provinces", f"2025 province {p25} {u25.provinces[p25].name} receives no 2024 province")

    # Unmapped 2024 communes.
    unmapped = [c for c in sorted(u24.communes) if c not in succ]
    by_province: dict[str, list[str]] = defaultdict(list)
    for c in unmapped:
        by_province[u24.communes[c].province].append(c)
    no_source = [c for c in unmapped if c in UNMAPPED_NO_SOURCE]
    for c in unmapped:
        if c not in UNMAPPED_NO_SOURCE:
            u = u24.communes[c]
            fail("unmapped", f"{c} {u.name} ({u24.districts[u.parent_code].name}, province {u.province}) has no successor")
    stale = [c for c in UNMAPPED_NO_SOURCE if c in succ]
    for c in stale:
        fail("unmapped", f"{c} is listed as unmapped (no source) but now has a successor: drop it from the list")

    print(
        f"lineage: {len(rows)} pairs; 2024 communes {len(u24.communes)}, mapped {len(succ)}, "
        f"unmapped {len(unmapped)} ({len(no_source)} unmapped (no source)); "
        f"2025 communes reached {len({n for v in succ.values() for n in v})} of {len(u25.communes)}; "
        f"codes naming the same commune in both lists {same_code_same_name}"
    )
    if unmapped:
        print("unmapped 2024 communes by province:")
        for p in sorted(by_province):
            print(f"  {p} {u24.provinces[p].name}: {len(by_province[p])}")
            if not quiet:
                for c in by_province[p]:
                    u = u24.communes[c]
                    why = UNMAPPED_NO_SOURCE.get(c)
                    tag = f"unmapped (no source): {why}" if why else "unmapped"
                    print(f"    {c} {u.name} ({u24.districts[u.parent_code].name}) — {tag}")
    reached = {n for v in succ.values() for n in v}
    orphans = [c for c in sorted(u25.communes) if c not in reached]
    if orphans:
        print(
            "2025 communes no 2024 commune maps to (island districts that had no communes in 2024 "
            "become special zones): " + ", ".join(f"{c} {u25.communes[c].name}" for c in orphans)
        )
    print("provinces: " + "; ".join(f"{p25} <- {'+'.join(sorted(v))}" for p25, v in sorted(merged.items())))
    for w in placed_elsewhere:
        print(f"WARN [placement] {w}")
    if failures:
        print(f"{failures} rule(s) broken")
        return 1
    print("all rules hold")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lineage", type=Path, default=LINEAGE)
    ap.add_argument("--quiet", action="store_true", help="counts only, no list of unmapped communes")
    a = ap.parse_args()
    return check(a.lineage, a.quiet)


if __name__ == "__main__":
    sys.exit(main())
