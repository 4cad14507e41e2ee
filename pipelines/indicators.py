"""The fiche récapitulative's indicator table → structured rows (organism value vs regional and national references).

The table reaches us as tab-separated lines (PDF dumps) or a markdown table, under a header
naming its columns ("Indicateurs | Organisme | Référence région | France métropolitaine | Source"
or "… | Réf. nat. | Réf. région"): columns are found by name, not position. Inside, category rows
("PATRIMOINE … (1)") carry the source note of their rows, a label ending in ":" prefixes the rows
below it ("Locataires dont les ressources sont : < 20 % des plafonds"), and a name broken over two
lines is joined again. The notes under the table ("(1) RPLS au 1/1/2017") name the sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ancols_nlp.pipelines.patterns import SUPERSCRIPT, YEAR
from ancols_nlp.pipelines.types import Indicator

HEADER = re.compile(r"^\W*indicateurs\b.*\borganisme\b", re.IGNORECASE)
CATEGORY = re.compile(r"^\W*(?:patrimoine|populations?\s+log[ée]es|gestion\s+locative|structure\s+financi[èe]re)",
                      re.IGNORECASE)
SOURCE_NOTE = re.compile(r"^\s*\((\d{1,2})\)\s+(\S.*)$")
MARK = re.compile(r"\((\d{1,2})\)")
VALUE_UNIT = re.compile(r"(%|mois|ans?|années|€|k€|M€)\s*$")
NAME_UNIT = re.compile(r"\(([^()]*(?:%|€|mois|ann[ée]es|\bans?\b)[^()]*)\)\s*$")
NOTES_WITHIN = 20  # lines after the table where its source notes may stand


@dataclass(frozen=True)
class _Columns:
    organism: int
    regional: int | None
    national: int | None
    source: int | None


def indicators(text: str) -> list[Indicator]:
    """The rows of the first indicator table of ``text`` (empty when there is none, or it lost its columns)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _is_row(line) and HEADER.match(line)), None)
    if start is None:
        return []
    columns = _columns(_cells(lines[start]))
    if columns is None:
        return []
    end = start + 1
    while end < len(lines) and _is_row(lines[end]):
        end += 1
    notes = {m.group(1): m.group(2).strip() for line in lines[end:end + NOTES_WITHIN] if (m := SOURCE_NOTE.match(line))}
    return _rows([_cells(line) for line in lines[start + 1:end]], columns, notes)


def _rows(table: list[list[str]], columns: _Columns, notes: dict[str, str]) -> list[Indicator]:
    out: list[Indicator] = []
    category, category_mark, prefix, pending = None, None, "", ""
    for cells in table:
        if not cells or set("".join(cells)) <= set("-: "):
            continue  # markdown separator
        name = cells[0]
        values = [_cell(cells, columns.organism), _cell(cells, columns.regional), _cell(cells, columns.national)]
        mark = _mark(_cell(cells, columns.source) or "")
        if CATEGORY.match(name):
            category, category_mark, prefix, pending = name.strip(" :"), mark, "", ""
        elif not any(values):
            if name[:1].islower() and out and not pending:  # the end of the previous row's name
                joined = f"{out[-1].name} {name}"
                out[-1] = replace(out[-1], name=joined, unit=_unit(joined, out[-1].organism))
            elif name.endswith(":"):
                prefix = name
            else:
                pending = f"{pending} {name}".strip()
        else:
            if pending:
                name = f"{pending} {name}"
            elif prefix and name[:1] in "<>-–":
                name = f"{prefix} {name.lstrip('-– ')}"
            pending = ""
            source = notes.get(mark or category_mark or "")
            out.append(Indicator(category=category, name=name,
                                 organism=values[0], regional=values[1], national=values[2],
                                 unit=_unit(name, values[0]), year=_year(name, category, source), source=source))
    return out


def _is_row(line: str) -> bool:
    return "\t" in line or bool(re.match(r"^\s*\|.*\|\s*$", line))


def _cells(line: str) -> list[str]:
    if "\t" in line:
        parts = line.split("\t")
    else:
        parts = line.strip().strip("|").split("|")
    return [re.sub(r"\s+", " ", re.sub(r"<br\s*/?>.*$|<[^>]+>", "", _superscripts(p))).strip() for p in parts]


def _superscripts(cell: str) -> str:
    """"€/m <sup>2</sup>" → "€/m²", so the unit reads as the report prints it."""
    return re.sub(r"\s*<sup>\s*(\d+)\s*</sup>", lambda m: m.group(1).translate(SUPERSCRIPT), cell)


def _columns(header: list[str]) -> _Columns | None:
    def find(pattern: str) -> int | None:
        return next((i for i, cell in enumerate(header) if re.search(pattern, cell, re.IGNORECASE)), None)

    organism = find(r"organisme")
    if organism is None:
        return None
    return _Columns(organism, find(r"r[ée]gion"), find(r"\bnat|france|m[ée]tropol"), find(r"source"))


def _cell(cells: list[str], index: int | None) -> str | None:
    if index is None or index >= len(cells):
        return None
    value = cells[index].strip(" _")
    return value or None


def _mark(cell: str) -> str | None:
    match = MARK.search(cell)
    return match.group(1) if match else None


def _unit(name: str, value: str | None) -> str | None:
    if value and (match := VALUE_UNIT.search(value)):
        return match.group(1)
    match = NAME_UNIT.search(name)
    return re.sub(r"^en\s+", "", match.group(1).strip()) if match else None


def _year(*texts: str | None) -> int | None:
    for text in texts:
        if text and (match := YEAR.search(text)):
            return int(match.group(1))
    return None
