#!/usr/bin/env python3
"""Builds data/maps/provinces-2024.json from the npm package @svg-maps/vietnam (CC BY 4.0):
each 2024 province's SVG path with its GSO code (matched by name, without diacritics) and the 2025
province it merged into (the province most of its communes went to, by the commune lineage).
Hoàng Sa and Trường Sa are drawn with Đà Nẵng and Khánh Hòa.

usage: npm pack @svg-maps/vietnam && tar xzf svg-maps-vietnam-*.tgz
       python3 data/maps/tools/provinces_from_svg_maps.py package/index.js > data/maps/provinces-2024.json
"""
import collections
import csv
import json
import pathlib
import sys
import unicodedata

HERE = pathlib.Path(__file__).resolve().parents[2]
UNITS = HERE / "admin-units"
# The package's islands, drawn with the province they belong to (GSO codes of the 2024 list).
ISLANDS = {"hoangsa": "48", "truongsa": "56"}
# Names the package writes otherwise than the GSO list (folded).
ALIASES = {"thua thien-hue": "hue", "ba ria-vung tau": "ba ria - vung tau"}


def fold(s: str) -> str:
    s = s.replace("Đ", "D").replace("đ", "d").replace("–", "-")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn").lower()
    for prefix in ("thanh pho ", "tinh "):
        if s.startswith(prefix):
            s = s[len(prefix):]
    return " ".join(s.split())


def rows(name: str):
    with open(UNITS / name, encoding="utf-8") as f:
        yield from csv.DictReader(f)


def main() -> None:
    text = pathlib.Path(sys.argv[1]).read_text(encoding="utf-8")
    data = json.loads(text[text.index("{"):].rstrip().rstrip(";"))
    provinces = {fold(r["name"]): r["code"] for r in rows("units-2024.csv") if r["level"] == "province"}
    # 2024 commune -> 2024 province (through its district), 2025 commune -> 2025 province.
    districts = {r["code"]: r["parent_code"].strip() for r in rows("units-2024.csv") if r["level"] == "district"}
    old_province = {r["code"]: districts.get(r["parent_code"].strip(), r["parent_code"].strip())
                    for r in rows("units-2024.csv") if r["level"] == "commune"}
    new_province = {r["code"]: r["parent_code"].strip() for r in rows("units-2025.csv") if r["level"] == "commune"}
    votes = collections.defaultdict(collections.Counter)
    with open(UNITS / "commune-2024-to-2025.csv", encoding="utf-8") as f:
        for line in f.read().splitlines()[1:]:
            old, new = line.strip().split(",")[:2]
            if old in old_province and new in new_province:
                votes[old_province[old]][new_province[new]] += 1
    out = []
    for loc in data["locations"]:
        code = ISLANDS.get(loc["id"]) or provinces.get(ALIASES.get(fold(loc["name"]), fold(loc["name"])))
        if code is None:
            sys.exit(f"no GSO province for {loc['name']!r}")
        merged = votes[code].most_common(1)[0][0]
        out.append({"code_2024": code, "code_2025": merged, "name": loc["name"], "id": loc["id"], "path": loc["path"]})
    missing = set(provinces.values()) - {p["code_2024"] for p in out}
    if missing:
        sys.exit(f"provinces without a shape: {sorted(missing)}")
    json.dump({
        "source": "npm @svg-maps/vietnam 2.0.0 (https://github.com/VictorCazanave/svg-maps, packages/vietnam), by Stephen Truong",
        "license": "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
        "attribution": "Bản đồ: @svg-maps/vietnam, Stephen Truong, CC BY 4.0",
        "note": "The 63 provinces of the 2024 list (Hoàng Sa, Trường Sa drawn with Đà Nẵng, Khánh Hòa); a 2025 province is the union of the 2024 provinces whose communes went to it (code_2025, by the commune lineage).",
        "viewBox": data["viewBox"],
        "provinces": out,
    }, sys.stdout, ensure_ascii=False, indent=0)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
