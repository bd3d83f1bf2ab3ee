"""Write the raw-file extract used by ``tests/test_fatality_rates.py`` (provenance only).

Copies, line for line and unchanged, the rows of the two raw public files that belong to the
sampled mission-years listed in ``SAMPLE`` (see ``README.md`` in this folder)::

    python tests/data/raw_sample/extract.py /path/to/shared/data/peacekeeping

Only the standard library is used, and nothing is shared with ``build_datasets.py``.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable
from pathlib import Path

#: (harmonised mission, year) -> the acronyms the personnel file uses for it.
SAMPLE: dict[tuple[str, int], tuple[str, ...]] = {
    ("MINUSMA", 2013): ("MINUSMA",),  # start-up, 6 months
    ("MINUSMA", 2014): ("MINUSMA",),  # large mission, full year
    ("MINUSCA", 2014): ("MINUSCA",),  # start-up, 4 months
    ("UNOSOM", 1993): ("UNOSOM", "UNOSOM II"),  # highest rate of missions of 1,000+
    ("UNOSOM", 1995): ("UNOSOM II",),  # closure, 1 month; a death in April
    ("UNMOT", 1998): ("UNMOT",),  # highest rate of the table (33 personnel)
    ("MONUA", 1999): ("MONUA",),  # closure, 2 months; a death in April
    ("MONUC", 2010): ("MONUC",),  # handover to MONUSCO, January-June
    ("MONUSCO", 2010): ("MONUSCO",),  # July-December
    ("UNAMID", 2008): ("UNAMID",),  # large mission, full year
    ("UNIFIL", 2006): ("UNIFIL",),  # personnel only from August; a death in July
    ("UNTAC", 1993): ("UNTAC",),  # closure, 10 months
    ("MINUGUA", 1997): ("MINUGUA",),  # no NOTICAS record at all that year
    ("UNMISS", 2011): ("UNMISS",),  # start-up, 5 months, zero deaths
    ("UNISFA", 2011): ("UNISFA",),  # start-up, 5 months, zero deaths
}

PERSONNEL = "pko_mission_month_personnel.csv"
NOTICAS = "un_odp_noticas_fatalities.csv"


def _extract(source: Path, target: Path, keep: Callable[[dict[str, str]], bool]) -> int:
    """Copy the header and the lines whose row passes ``keep``; return the rows kept."""
    text = source.read_text(encoding="utf-8-sig")
    lines = text.splitlines(keepends=True)
    header = next(csv.reader(io.StringIO(lines[0])))
    kept = [lines[0] if lines[0].endswith("\n") else lines[0] + "\n"]
    for line in lines[1:]:
        row = dict(zip(header, next(csv.reader(io.StringIO(line))), strict=True))
        if keep(row):
            kept.append(line if line.endswith("\n") else line + "\n")
    target.write_text("".join(kept), encoding="utf-8", newline="")
    return len(kept) - 1


def main(raw_dir: Path) -> None:
    """Write the two extracts next to this script."""
    here = Path(__file__).resolve().parent
    by_acronym = {(a, y) for (_, y), acronyms in SAMPLE.items() for a in acronyms}
    n = _extract(
        raw_dir / PERSONNEL,
        here / PERSONNEL,
        lambda r: r["org"] == "1" and (r["mission"], int(r["date"].split("m")[0])) in by_acronym,
    )
    print(f"{PERSONNEL}: {n} rows")
    n = _extract(
        raw_dir / NOTICAS,
        here / NOTICAS,
        lambda r: (r["Mission_Acronym"].strip(), int(r["Incident_Date"][:4])) in SAMPLE,
    )
    print(f"{NOTICAS}: {n} rows")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
