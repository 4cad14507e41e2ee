"""What a Word paragraph's style and numbering make of it: a heading of some level, a list item, its number.

Word keeps a heading's depth in its style (built-in "heading 1".."heading 9", whatever the styleId a
French Word gives it, "Titre1"; or an outline level, on the style or the paragraph) and often writes
its number nowhere in the text: a multilevel list attached to the heading styles draws "2.3" from
counters. The number is the reader's landmark and the layout's depth, so it is computed here as Word
does: one counter per list level, deeper ones reset, the level's pattern ("%1.%2") filled in.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from ancols_nlp.pipelines.office_zip import attr, child, local

HEADING_NAME = re.compile(r"^(?:heading|titre|berschrift|titolo|t[íi]tulo)\s*([1-9])$", re.IGNORECASE)
BODY_LEVEL = 9  # Word's outline level of body text


@dataclass(frozen=True)
class Style:
    name: str
    based_on: str | None
    outline: int | None  # 0-based; None when the style does not say
    num: tuple[str, int] | None  # (numId, level)


@dataclass(frozen=True)
class Level:
    fmt: str
    pattern: str
    start: int


@dataclass
class Styles:
    """A package's paragraph styles and list definitions, and the list counters as the body is read."""

    styles: dict[str, Style] = field(default_factory=dict)
    levels: dict[str, dict[int, Level]] = field(default_factory=dict)  # numId → level → definition
    counters: dict[str, list[int]] = field(default_factory=dict)

    def heading_level(self, ppr: ET.Element | None, style_id: str | None) -> int:
        """1-based heading depth of a paragraph, 0 for body text."""
        outline = attr(child(ppr, "outlineLvl"), "val")
        if outline is not None and outline.isdigit():
            return int(outline) + 1 if int(outline) < BODY_LEVEL else 0
        for style in self._chain(style_id):
            named = HEADING_NAME.match(style.name.strip())
            if named:
                return int(named.group(1))
            if style.outline is not None:
                return style.outline + 1 if style.outline < BODY_LEVEL else 0
        return 0

    def numbering(self, ppr: ET.Element | None, style_id: str | None) -> tuple[str, int] | None:
        """(numId, level) of a numbered or bulleted paragraph, from itself or its style; None otherwise."""
        num = child(ppr, "numPr")
        if num is not None:
            num_id = attr(child(num, "numId"), "val")
            level = attr(child(num, "ilvl"), "val")
            inherited = next((s.num for s in self._chain(style_id) if s.num), None)
            if num_id is None and inherited:
                num_id = inherited[0]
            if num_id is None:
                return None
            return (num_id, int(level) if level and level.isdigit() else 0) if num_id != "0" else None
        return next((s.num for s in self._chain(style_id) if s.num), None)

    def label(self, num: tuple[str, int]) -> str:
        """The number Word draws before the paragraph ("2.3.", "a)"), "-" for a bullet, "" for none."""
        num_id, depth = num
        levels = self.levels.get(num_id, {})
        if depth not in levels:
            return "-"
        counts = self.counters.setdefault(num_id, [levels[d].start - 1 if d in levels else 0 for d in range(9)])
        counts[depth] += 1
        for deeper in range(depth + 1, 9):
            counts[deeper] = levels[deeper].start - 1 if deeper in levels else 0
        if levels[depth].fmt == "bullet":
            return "-"
        return re.sub(r"%([1-9])", lambda m: _formatted(levels.get(int(m.group(1)) - 1), counts[int(m.group(1)) - 1]),
                      levels[depth].pattern).strip()

    def _chain(self, style_id: str | None):
        seen: set[str] = set()
        while style_id and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            yield self.styles[style_id]
            style_id = self.styles[style_id].based_on


def read_styles(styles: ET.Element | None, numbering: ET.Element | None) -> Styles:
    out = Styles()
    for style in styles.iter() if styles is not None else ():
        if local(style.tag) != "style" or attr(style, "type") != "paragraph":
            continue
        ppr = child(style, "pPr")
        outline = attr(child(ppr, "outlineLvl"), "val")
        num = child(ppr, "numPr")
        num_id = attr(child(num, "numId"), "val")
        level = attr(child(num, "ilvl"), "val")
        out.styles[attr(style, "styleId") or ""] = Style(
            name=attr(child(style, "name"), "val") or "", based_on=attr(child(style, "basedOn"), "val"),
            outline=int(outline) if outline and outline.isdigit() else None,
            num=(num_id, int(level) if level and level.isdigit() else 0) if num_id and num_id != "0" else None)
    if numbering is not None:
        abstract = {attr(a, "abstractNumId"): _levels(a) for a in numbering if local(a.tag) == "abstractNum"}
        for num in numbering:
            if local(num.tag) == "num":
                out.levels[attr(num, "numId") or ""] = abstract.get(attr(child(num, "abstractNumId"), "val"), {})
    return out


def _levels(abstract: ET.Element) -> dict[int, Level]:
    levels = {}
    for lvl in abstract:
        depth = attr(lvl, "ilvl")
        if local(lvl.tag) != "lvl" or not depth or not depth.isdigit():
            continue
        start = attr(child(lvl, "start"), "val")
        levels[int(depth)] = Level(fmt=attr(child(lvl, "numFmt"), "val") or "decimal",
                                   pattern=attr(child(lvl, "lvlText"), "val") or "",
                                   start=int(start) if start and start.isdigit() else 1)
    return levels


def _formatted(level: Level | None, value: int) -> str:
    fmt = level.fmt if level else "decimal"
    if fmt in ("lowerLetter", "upperLetter"):
        letter = "abcdefghijklmnopqrstuvwxyz"[(value - 1) % 26]
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman.lower() if fmt == "lowerRoman" else roman
    return "" if fmt == "none" else str(value)


def _roman(value: int) -> str:
    out = ""
    for amount, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                            (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, value = divmod(value, amount)
        out += numeral * count
    return out
