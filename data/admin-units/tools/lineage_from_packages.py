#!/usr/bin/env python3
"""Derives 2024 → 2025 commune successors from two maintained PyPI packages, compares them with
`commune-2024-to-2025.csv`, and (with --write) completes that file.

Sources (pass the wheels, fetched with `pip download --no-deps`; nothing is installed):

* `vietnam-provinces` 2026.9.0 (GPL-3.0, https://github.com/sunshine-tech/VietnamProvinces),
  module `vietnam_provinces/_ward_conversion_2025.py`: the National Statistics Office's
  conversion table old ward → new ward(s) by GSO code (`BangChuyendoiĐVHCmoi_cu_khong_merge.csv`),
  effective 2025-07-01, with the old ward's district and province codes. Its new codes are
  those of the package's own 2025 list (`data/nested-divisions.json`), which differs in 123
  codes from `units-2025.csv` (`vietnam-provinces` 2025.10.1); they are carried over to
  `units-2025.csv` by province and name (the same name in the same province names one commune
  in both lists; this tool stops if it does not).
* `vietnamadminunits` 1.0.4 (MIT, https://github.com/tranngocminhhieu/vietnamadminunits),
  `data/dataset.db`, table `admin_units_legacy`: the 63-province list as it stood just before
  1 July 2025 (after the commune mergers of late 2024 and January 2025), with GSO codes and,
  per commune, `wardAlias`/`wardKeywords`: the earlier names a commune was formed from or
  renamed from. The NSO table above starts from that list, so a 2024 commune that was merged
  between `units-2024.csv`'s date and 30 June 2025 is not in it; this tool finds the commune it
  had become part of by those aliases (same district, name key with its type prefix, e.g.
  `xahuybac`) and then that commune's successors in the NSO table.

Policy (`--write`):

* a 2024 commune with no successor gets the successors the sources give;
* a 2024 code that is also a 2025 code of the same name, but is not mapped to it, is mapped to
  the successors the sources give when they include it, else to itself alone (the rule of
  issue 12: the same code and name is the same commune unless a source says otherwise);
* such a code that is mapped to itself and to communes of lower codes (so that its households,
  placed in the first successor in code order, would leave it) gets the sources' successors
  when those are itself alone or start with it;
* every other row is kept as it is; disagreements with the sources are printed, not applied.

Usage:
  pip download --no-deps --only-binary=:all: --python-version 3.12 -d /tmp/src \
      vietnam-provinces==2026.9.0 vietnamadminunits==1.0.4
  python3 data/admin-units/tools/lineage_from_packages.py \
      --vietnam-provinces /tmp/src/vietnam_provinces-2026.9.0-py3-none-any.whl \
      --vietnamadminunits /tmp/src/vietnamadminunits-1.0.4-py3-none-any.whl [--write] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import unicodedata
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from units_lib import (  # noqa: E402
    UNITS_2024,
    UNITS_2025,
    lineage_map,
    name_key,
    read_lineage,
    read_units,
    write_lineage,
)


def ascii_key(name: str) -> str:
    """The key `vietnamadminunits` uses in its aliases: no diacritics, lower case, letters and
    digits only (`Xã Huy Bắc` → `xahuybac`)."""
    s = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]", "", s)


def short_key(name: str) -> str:
    return ascii_key(name_key(name))  # without the type prefix


def load_nso(wheel: Path):
    """(old code → (district, province, partly merged, [new codes])), new code → (province, name)."""
    z = zipfile.ZipFile(wheel)
    ns: dict = {}
    exec(compile(z.read("vietnam_provinces/_ward_conversion_2025.py").decode("utf-8"), "conv", "exec"), ns)
    conv = {}
    for code, e in ns["OLD_TO_NEW"].items():
        o = e.old_ward
        conv[f"{code:05d}"] = (
            f"{o.district_code:03d}",
            f"{o.province_code:02d}",
            bool(o.is_partly_merged),
            [f"{w.code:05d}" for w in e.new_wards],
        )
    nested = json.loads(z.read("vietnam_provinces/data/nested-divisions.json"))
    new_units = {f"{w['code']:05d}": (f"{p['code']:02d}", w["name"]) for p in nested for w in p["wards"]}
    return conv, new_units, ns.get("SOURCE", "?")


def load_legacy(wheel: Path):
    """code → (district code, name, set of alias keys) for the pre-July-2025 list."""
    z = zipfile.ZipFile(wheel)
    with tempfile.TemporaryDirectory() as d:
        db = Path(d) / "dataset.db"
        db.write_bytes(z.read("vietnamadminunits/data/dataset.db"))
        con = sqlite3.connect(db)
        rows = con.execute(
            "SELECT wardCode, districtCode, ward, wardAlias, wardKeywords FROM admin_units_legacy"
        ).fetchall()
        con.close()
    out = {}
    for code, district, ward, alias, keywords in rows:
        keys = set()
        for j in (alias, keywords):
            if j:
                keys.update(json.loads(j))
        out[code] = (district, ward, keys)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vietnam-provinces", type=Path, required=True, help="vietnam_provinces-2026.9.0 wheel")
    ap.add_argument("--vietnamadminunits", type=Path, required=True, help="vietnamadminunits-1.0.4 wheel")
    ap.add_argument("--write", action="store_true", help="complete commune-2024-to-2025.csv")
    ap.add_argument("--verbose", action="store_true", help="list every disagreement")
    a = ap.parse_args()

    u24 = read_units(UNITS_2024)
    u25 = read_units(UNITS_2025)
    rows = read_lineage()
    ours = {k: sorted(set(v)) for k, v in lineage_map(rows).items()}
    conv, src25, source_name = load_nso(a.vietnam_provinces)
    legacy = load_legacy(a.vietnamadminunits)
    print(f"NSO table ({source_name}): {len(conv)} old codes; pre-July-2025 list: {len(legacy)} communes")

    # Carry the package's 2025 codes over to units-2025.csv by province and name.
    by_name: dict[tuple[str, str], list[str]] = defaultdict(list)
    for c in u25.communes.values():
        by_name[(c.province, name_key(c.name, strip_prefix=False))].append(c.code)
    to_ours: dict[str, str] = {}
    for code, (prov, nm) in src25.items():
        m = by_name.get((prov, name_key(nm, strip_prefix=False)), [])
        if len(m) != 1:
            sys.exit(f"2025 commune {code} {nm} (province {prov}) of the package has {len(m)} matches in units-2025.csv")
        to_ours[code] = m[0]
    renumbered = sorted((k, v) for k, v in to_ours.items() if k != v)
    print(f"2025 codes that differ between the package and units-2025.csv: {len(renumbered)}")

    # Aliases of the pre-July-2025 communes, per district.
    alias_index: dict[tuple[str, str], list[str]] = defaultdict(list)
    for code, (district, _ward, keys) in legacy.items():
        for k in keys:
            alias_index[(district, k)].append(code)

    def nso_successors(code: str, district: str) -> list[str] | None:
        e = conv.get(code)
        if e is None or e[0] != district:
            return None
        return sorted({to_ours[n] for n in e[3]})

    derived: dict[str, list[str]] = {}
    how: dict[str, str] = {}
    why_not: dict[str, str] = {}
    for code, c in sorted(u24.communes.items()):
        district = c.parent_code
        full, short = ascii_key(c.name), short_key(c.name)
        leg = legacy.get(code)
        same_unit = leg is not None and leg[0] == district and (
            short_key(leg[1]) == short or full in leg[2] or short in leg[2]
        )
        if same_unit or (leg is None and code in conv):
            s = nso_successors(code, district)
            if s:
                derived[code] = s
                how[code] = "nso" if leg is None or short_key(leg[1]) == short else f"nso via renamed {leg[1]}"
                continue
        # Merged into another commune before 1 July 2025: find it by its aliases.
        hosts = sorted({h for h in alias_index.get((district, full), []) if h != code or not same_unit})
        if not hosts:
            hosts = sorted(set(alias_index.get((district, short), [])))
        hosts = [h for h in hosts if not (h == code and leg is not None and not same_unit and full not in leg[2])]
        if len(hosts) == 1:
            h = hosts[0]
            s = nso_successors(h, district)
            if s:
                derived[code] = s
                how[code] = f"merged into {h} {legacy[h][1]} before 2025-07-01, then nso"
                continue
            why_not[code] = (
                "the NSO table lacks it" if h == code else f"merged into {h} {legacy[h][1]}, which the NSO table lacks"
            )
        elif len(hosts) > 1:
            why_not[code] = "its name is an alias of several communes: " + ", ".join(f"{h} {legacy[h][1]}" for h in hosts)
        elif leg is not None and not same_unit:
            why_not[code] = f"its code is {leg[1]} in the pre-July-2025 list, which does not name it as a predecessor"
        else:
            why_not[code] = "in neither the NSO table nor the aliases of the pre-July-2025 list"

    # Compare.
    cats: Counter = Counter()
    detail: dict[str, list[str]] = defaultdict(list)
    for code in sorted(u24.communes):
        o, d = set(ours.get(code, [])), set(derived.get(code, []))
        if not d:
            cat = "no source" if not o else "kept, no source"
        elif not o:
            cat = "unmapped, source found"
        elif o == d:
            cat = "agree"
        elif o < d:
            cat = "source lists more successors"
        elif d < o:
            cat = "source lists fewer successors"
        elif o & d:
            cat = "overlap"
        else:
            cat = "disjoint"
        cats[cat] += 1
        detail[cat].append(code)
    for k, v in cats.most_common():
        print(f"  {k}: {v}")

    def show(codes, n=None):
        for code in codes[:n]:
            c = u24.communes[code]
            f = lambda xs: ", ".join(f"{x} {u25.communes[x].name}" for x in xs) or "-"  # noqa: E731
            print(
                f"    {code} {c.name} ({u24.districts[c.parent_code].name}): csv [{f(ours.get(code, []))}] "
                f"sources [{f(derived.get(code, []))}] {how.get(code) or why_not.get(code, '')}"
            )

    for cat in ["disjoint", "overlap", "source lists fewer successors", "unmapped, source found", "no source", "kept, no source"]:
        if detail[cat]:
            print(f"{cat}:")
            show(detail[cat], None if a.verbose or cat in ("disjoint", "overlap", "no source") else 10)
    if a.verbose and detail["source lists more successors"]:
        print("source lists more successors:")
        show(detail["source lists more successors"])

    # Apply.
    new = {k: list(v) for k, v in ours.items()}
    added, fixed = [], []
    for code in detail["unmapped, source found"]:
        new[code] = derived[code]
        added.append(code)
    for code, c in sorted(u24.communes.items()):
        n = u25.communes.get(code)
        if n is None or name_key(n.name) != name_key(c.name) or code not in new:
            continue
        d = derived.get(code, [])
        if code not in new[code]:
            new[code] = d if code in d else [code]
            fixed.append(code)
        elif min(new[code]) != code and code in d and min(d) == code:
            # Households are placed in the first successor in code order: the sources place
            # this commune's households where they were.
            new[code] = d
            fixed.append(code)
    print(f"add {len(added)} unmapped communes, remap {len(fixed)} same-code communes: {fixed}")
    if a.write:
        out = sorted((old, n) for old, ns in new.items() for n in sorted(set(ns)))
        write_lineage(out)
        print(f"wrote {len(out)} pairs (was {len(rows)})")
    still = [c for c in sorted(u24.communes) if c not in new]
    print(f"still unmapped: {len(still)}")
    for code in still:
        c = u24.communes[code]
        print(f"  {code}\t{c.name}\t{u24.districts[c.parent_code].name}\t{c.province}\t{why_not.get(code, '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
