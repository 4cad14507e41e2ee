"""Layout patterns of ANCOLS / Miilos reports, as data.

They cover the three shapes the reports reach us in: PDF text with hard-wrapped lines,
markdown conversions (``#`` headings, ``**bold**``, ``|`` tables, ``<sup>`` footnotes) and
tab-separated table dumps.
"""

import re
import unicodedata

MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
# "2.2.1 Gouvernance", "1. PREAMBULE", "1.PREAMBULE", "4.2.3.1 - Attributions"
# A markdown conversion may wrap the title in emphasis ("6.2 **ANALYSE FINANCIERE**") and keep a
# long one whole (plain lines are further capped by layout._looks_like_title).
NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,5})\.?\s*[-–.]?\s*"
                              r"((?:\*\*|__)?\s*[A-ZÀ-ÖØ-Þ«\"].{1,250})$")
# A table-of-contents entry ends with its page number, often after dot leaders.
TOC_ENTRY = re.compile(r"(?:\.{3,}|…+|\t|\s{2,})\s*\d{1,3}\s*$")
# Markdown rows have outer pipes; an HTML or Word export joins cells with " | " or a tab, without them.
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$|\t|\S\s+\|\s+\S")
# Markdown's setext heading: the title's next line underlines it with "=" (level 1) or "-" (level 2).
SETEXT_UNDERLINE = re.compile(r"^(?:={3,}|-{3,})$")
# A fenced code block's opening line (CommonMark 4.5: three or more backticks or tildes, indented at most three
# spaces; a backtick fence's info string holds no backtick). It closes on a line of the same character, at least as
# many, and nothing else; or at the end of the document.
FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}(?=[^`]*$)|~{3,})")
RULE = re.compile(r"^\s*(?:-{3,}|_{1,}|\*{3,}|={3,})\s*$")
LIST_ITEM = re.compile(r"^\s*(?:[-–—•▪►●◦→✓*]|\$\\rightarrow\$|o\s"
                       r"|\d{1,2}°|\(?[a-z]\)|\d{1,2}\))\s*\S")
FOOTNOTE = re.compile(r"^\s*(?:<sup>\s*\d+\s*</sup>|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\[\^\d+\]:?|\(\d{1,2}\)\s)")
# The call of a table's note: "(a) …", "* …", "** …".
LEGEND = re.compile(r"^\s*(?:\([a-z]{1,2}\)|\*{1,3})\s")
BOLD_LINE = re.compile(r"^\s*\*\*(.+?)\*\*\s*$")
# A numbered end-note: "2. Le texte a été …", "25.A la date …" (a heading has no final period).
END_NOTE = re.compile(r"^\s*(\d{1,3})\.\s*[A-ZÀ-Þ«\"]")
# A form field, "Président : M. X" or "Source : RPLS": a short label (no verb of a sentence), then its value.
FORM_FIELD = re.compile(r"^[A-ZÀ-Þ][^:.!?]{0,60}?\s?:\s+\S")
# A year standing alone, 1900–2099: a report's date, a control period ("2018-2022", "de 2018 à 2022"), a source's
# date ("RPLS au 1/1/2017"). One definition for reading a document's year, an indicator's and telling a year from a
# figure.
YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
# A table's figure cell: a percentage ("3,0 %", "15 %") or a decimal number ("5,4"); a bare integer is as often a
# year, a date or a count in a title ("Contrôle effectué du 17 juillet 2016 au 20 janvier 2017").
FIGURE_CELL = re.compile(r"(?<![\w,.])\d+(?:,\d+)?\s?%|(?<![\w,.])\d+,\d+(?![\w,])")
# A title or field never ends on these: a line that does is cut inside its sentence.
OPEN_END = re.compile(
    r"(?:[,(\-–]|\b(?:du|de|des|d['’]|la|le|les|l['’]|un|une|et|ou|à|au|aux|en|par|pour|sur|dans|avec|que|qui"
    r"|dont|sans|sous|entre|vers|chez|ne|se|sa|son|ses|leur|leurs|ce|cette|ces|est|a|sont|ont))$",
    re.IGNORECASE,
)
TERMINAL = re.compile(r"[.!?;:…»\"]\s*(?:\*\*)?\s*$")

# Unnumbered titles that open a top-level part of a report.
TOP_LEVEL_TITLES = re.compile(
    r"^(?:synth[èe]se|pr[ée]ambule|annexes?|fiche r[ée]capitulative|sommaire|conclusions?"
    r"|points? forts?|points? faibles?|irr[ée]gularit[ée]s|r[ée]ponses? de l)",
    re.IGNORECASE,
)

# A note call glued to the word it annotates ("vacants²", "doit¹", "financier¹⁴"; "CCTP¹0" where the PDF kept a
# digit plain): superscript digits right after a letter. Python counts superscript digits as word characters
# (``\w`` but not ``\d``), so a glued call made "vacants²" one word and left "doit¹" without a ``\b``. After a
# length unit the exponent is part of the unit: the SI writes areas and volumes as powers of its length units
# (m², km², cm³…; BIPM, The International System of Units, 9th ed., 2019: § 2.3.4 and its table 5, area m² and
# volume m³; § 3, an exponent applies to the prefixed unit, cm² = (cm)²). Plain digits
# glued to a word ("vacants2") stay: they are also parts of names and references (T4, R+2, 2e).
_SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUPERSCRIPT = str.maketrans("0123456789", _SUPERSCRIPT)  # plain digits to superscript ones, as a call is written
_LETTER = rf"[^\W\d_{_SUPERSCRIPT}]"
LENGTH_UNITS = ("m", "km", "hm", "dam", "dm", "cm", "mm", "µm")
# The superscript comes first and the context is read behind it: the search then skips to the rare superscripts
# (50 times faster on the corpus than a pattern opening on the look-behind, and it runs on every passage).
NOTE_CALL = re.compile(rf"[{_SUPERSCRIPT}](?<={_LETTER}[{_SUPERSCRIPT}])"
                       + "".join(rf"(?<!(?<!{_LETTER}){unit}[{_SUPERSCRIPT}])" for unit in LENGTH_UNITS)
                       + rf"[{_SUPERSCRIPT}\d]*")


def without_note_calls(text: str) -> str:
    """``text`` with the note calls glued to its words removed ("vacants² sont" → "vacants sont")."""
    return NOTE_CALL.sub("", text)


def as_cues_read(text: str) -> str:
    """``text`` as the kind and stance cues read it: accents composed and note calls removed. The cues are written
    with composed accents, so a text with decomposed ones (as macOS writes it: "e" + U+0301) missed every cue
    holding an accent and a recommendation read as an observation. The embedding reads the text as written (its
    tokenizer composes accents itself: the same vector)."""
    return without_note_calls(unicodedata.normalize("NFC", text))
