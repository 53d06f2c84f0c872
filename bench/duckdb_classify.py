#!/usr/bin/env python3
"""Run the DuckDB version of the 2022–2025 rule (duckdb_classify.sql) over interchange CSV files.

usage: duckdb_classify.py HOUSEHOLDS.csv MEMBERS.csv AS_OF OUT.csv
"""
import pathlib
import sys
import tomllib

import duckdb

HERE = pathlib.Path(__file__).resolve().parent


def retirement_months(as_of_year: int) -> tuple[int, int]:
    law = tomllib.loads((HERE.parent / "standards" / "labour-code-2019.toml").read_text(encoding="utf-8"))
    rows = law["retirement"]["schedule"]
    row = rows[0]
    for r in rows:
        if r[0] <= as_of_year:
            row = r
    return row[1], row[2]


def main() -> None:
    households, members, as_of, out = sys.argv[1:5]
    male, female = retirement_months(int(as_of[:4]))
    sql = (HERE / "duckdb_classify.sql").read_text(encoding="utf-8").format(
        households=households, members=members, as_of=as_of, out=out, retire_male=male, retire_female=female
    )
    duckdb.connect().execute(sql)


if __name__ == "__main__":
    main()
