"""extract_pdf on report-like PDFs printed from real ANCOLS report text."""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

import pytest
from pdfgen import (
    LANDSCAPE_PAGE,
    PAGE_BREAK,
    SIDEWAYS_PAGE,
    Heading,
    RenderedPdf,
    corpus_paragraphs,
    encrypted_pdf,
    make_pdf,
    render_pdf,
    scanned_pdf,
    truncated_pdf,
    undecodable_pdf,
)

from ancols_nlp.pipelines.errors import (
    DocumentError,
    EmptyDocument,
    EncryptedPdf,
    NoTextLayer,
    TooManyPages,
    UndecodableText,
    UnreadablePdf,
    UnsupportedType,
)
from ancols_nlp.pipelines.pdf_text import extract_pdf
from ancols_nlp.pipelines.types import Furniture, SourceText

REPO = Path(__file__).resolve().parents[2]
REPORT = REPO.parent / "shared" / "corpus" / "004_964ee9d999fa8f65.txt"
HEADER = "RAPPORT DE CONTRÔLE N° 2017-101 – Le Toit Forézien"
FOOTER = "ANCOLS – Rapport définitif"


def flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def report_paragraphs(limit_chars: int) -> list[str]:
    assert REPORT.is_file(), f"corpus file missing: {REPORT}"
    return corpus_paragraphs(REPORT, limit_chars)


def on_pages(*pages: list[str]) -> list[str]:
    """Paragraphs printed so that each list starts a new page."""
    source: list[str] = []
    for page in pages:
        source += ([PAGE_BREAK] if source else []) + page
    return source


def extract(source: list[str], **options) -> SourceText:
    rendered = render_pdf(source, header=HEADER, footer=FOOTER, **options)
    return extract_pdf(rendered.data, max_pages=10)


def printed_parts(rendered: RenderedPdf) -> list[tuple[int, str]]:
    """(page, text) of each paragraph's part on each page, lines joined as the extractor should."""
    parts: dict[tuple[int, int], str] = {}
    cuts: dict[tuple[int, int], str] = {}
    for line in rendered.lines:
        key = (line.paragraph, line.page)
        if key not in parts:
            parts[key] = line.text
        elif cuts[key] == "word":
            parts[key] = parts[key][:-1] + line.text
        elif cuts[key] == "compound":
            parts[key] += line.text
        else:
            parts[key] += " " + line.text
        cuts[key] = line.cut
    return [(page, text) for (_, page), text in parts.items()]


def page_text(source: SourceText, number: int) -> str:
    span = source.pages[number - 1]
    return source.text[span.start : span.end]


def assert_printed_text_on_its_page(rendered: RenderedPdf, extracted: SourceText) -> None:
    for page, text in printed_parts(rendered):
        assert flat(text) in flat(page_text(extracted, page)), f"page {page}: {text[:60]!r}"


@pytest.fixture(scope="module")
def report() -> RenderedPdf:
    return render_pdf(report_paragraphs(11_000), header=HEADER, footer=FOOTER)


@pytest.fixture(scope="module")
def extracted(report: RenderedPdf) -> SourceText:
    return extract_pdf(report.data, max_pages=50)


def test_every_printed_paragraph_is_found_on_the_page_it_was_printed_on(report, extracted):
    assert report.page_count >= 5
    assert {page for page, _ in printed_parts(report)} == set(range(1, report.page_count + 1))
    assert_printed_text_on_its_page(report, extracted)


def test_page_spans_tile_the_text(report, extracted):
    pages = extracted.pages
    assert [p.number for p in pages] == list(range(1, report.page_count + 1))
    assert pages[0].start == 0 and pages[-1].end == len(extracted.text)
    assert all(a.end == b.start for a, b in zip(pages, pages[1:]))
    assert extracted.media_type == "application/pdf"


def test_headers_footers_and_page_numbers_are_moved_to_furniture(report, extracted):
    assert HEADER not in extracted.text and FOOTER not in extracted.text
    assert not re.search(r"Page \d+ / \d+", extracted.text)
    total = report.page_count
    for n in range(1, total + 1):
        kept = {(f.kind, f.text) for f in extracted.furniture if f.page == n}
        number = f"Page {n} / {total}"
        assert kept == {("header", HEADER), ("footer", FOOTER), ("page_number", number)}


def test_words_hyphenated_at_line_ends_are_rejoined(report, extracted):
    lines = report.lines
    splits = [
        (a.text.split()[-1], re.match(r"\w+", b.text).group())
        for a, b in zip(lines, lines[1:])
        if a.cut == "word" and a.page == b.page
    ]
    assert len(splits) >= 5
    for head, tail in splits:
        assert head[:-1] + tail in extracted.text
        assert head + tail not in extracted.text and f"{head} {tail}" not in extracted.text


@pytest.mark.parametrize("fake_bold", [False, True], ids=["bold-font", "fake-bold"])
def test_paragraphs_headings_and_list_items_keep_their_breaks(fake_bold):
    paragraphs = report_paragraphs(60_000)
    first = next(
        i for i, p in enumerate(paragraphs)
        if isinstance(p, Heading) and all(
            300 < len(q) < 900 and not isinstance(q, Heading) for q in paragraphs[i + 1 : i + 3]
        )
    )
    heading, body, more, last = paragraphs[first : first + 4]
    items = "\n".join([p for p in paragraphs if p.startswith("- ")][:3])
    signature = "Le Directeur Général,\nPascal Martin-Gousset"  # no gap: only a short line ends it

    source = on_pages([heading, body, items, more, signature], [last])

    text = extract(source, fake_bold=fake_bold).text

    assert text == "\n\n".join([heading, body, items, more, signature, last])


def test_paragraph_breaks_when_most_paragraphs_are_one_line_long():
    cover = [p for p in report_paragraphs(2_000) if len(p) < 60][:24]  # the report's cover page
    wrapped = next(p for p in report_paragraphs(8_000) if 200 < len(p) < 450)

    text = extract(on_pages(cover[:12] + [wrapped], cover[12:])).text

    assert text == "\n\n".join(cover[:12] + [wrapped] + cover[12:])


def test_real_hyphens_at_line_ends_are_kept():
    printed = (
        "Le patrimoine situé à Saint-\nÉtienne compte 1 200 loge-\nments sur la période 2018-\n"
        "2022 ; leur sous-\nlocation est non-\nconforme, c'est-à-\ndire interdite, et ceux-\n"
        "ci le savent. Les procès-verbaux du conseil l'indiquent ; ces procès-\nverbaux sont datés."
    )

    text = extract(report_paragraphs(1_500) + [printed]).text

    assert text.endswith(
        "\n\nLe patrimoine situé à Saint-Étienne compte 1 200 logements sur la période 2018-2022 ; "
        "leur sous-location est non-conforme, c'est-à-dire interdite, et ceux-ci le savent. "
        "Les procès-verbaux du conseil l'indiquent ; ces procès-verbaux sont datés."
    )


def test_text_is_nfc_without_ligatures():
    printed = "La situation ﬁnancière est saine ; les ﬂux sont e\u0301quilibre\u0301s."

    text = extract(report_paragraphs(1_500) + [printed]).text

    assert "La situation financière est saine ; les flux sont équilibrés." in text
    assert text == unicodedata.normalize("NFC", text)
    assert not set("ﬁﬂﬀﬃﬄﬅﬆ\u00ad") & set(text)


@pytest.mark.parametrize("pages", [2, 3])
def test_furniture_is_found_in_short_documents(pages):
    chunks = report_paragraphs(3_000)
    source = on_pages(*(chunks[i * 3 : i * 3 + 3] for i in range(pages)))
    rendered = render_pdf(source, header=HEADER, footer=FOOTER)
    assert rendered.page_count == pages

    extracted = extract_pdf(rendered.data, max_pages=5)

    assert HEADER not in extracted.text and FOOTER not in extracted.text
    assert len(extracted.furniture) == 3 * pages
    assert_printed_text_on_its_page(rendered, extracted)


@pytest.mark.parametrize("pages", [3, 5])
def test_a_body_line_printed_twice_at_the_top_of_a_page_is_kept(pages):
    chunks = report_paragraphs(6_000)
    repeated = "Sans objet."  # opens pages 2 and 3, in the band where headers sit
    bodies = [chunks[2 * i : 2 * i + 2] for i in range(pages)]
    for i in (1, 2):
        bodies[i] = [repeated] + bodies[i]

    assert extract(on_pages(*bodies)).text.count(repeated) == 2


@pytest.mark.parametrize("label", ["Page {n} / {total}", "- {n} -", "{n}/{total}", "{n}"])
def test_page_number_styles(label):
    chunks = report_paragraphs(3_000)
    source = on_pages(chunks[:3], chunks[3:6], chunks[6:9])
    rendered = render_pdf(source, header=HEADER, footer=FOOTER, page_label=label)

    extracted = extract_pdf(rendered.data, max_pages=5)

    numbers = [(f.page, f.text) for f in extracted.furniture if f.kind == "page_number"]
    assert numbers == [(n, label.format(n=n, total=3)) for n in (1, 2, 3)]
    assert_printed_text_on_its_page(rendered, extracted)


def test_a_lone_number_in_the_body_is_not_a_page_number():
    chunks = report_paragraphs(3_000)
    source = on_pages(chunks[:3], ["24"] + chunks[3:6], chunks[6:9])  # 24 opens page 2, in the band

    extracted = extract(source)

    assert page_text(extracted, 2).startswith("24\n\n")
    assert [f.page for f in extracted.furniture if f.kind == "page_number"] == [1, 2, 3]


def test_figures_opening_two_pages_are_not_page_numbers():
    """003's annex tables, printed, open pages 36 and 39 with the first line of a wrapped figure ("440" of
    "440 836,13", "176" of "176 485,01"): two bare numbers at the same place on two pages were taken for page
    numbers and cut out of the tables; with a third, headers. A page number counts with its pages, a header
    repeats: these do neither."""
    chunks = report_paragraphs(4_000)
    source = on_pages(chunks[:3], ["440"] + chunks[3:6], ["176"] + chunks[6:9], chunks[9:12])

    extracted = extract(source)

    assert page_text(extracted, 2).startswith("440\n\n")
    assert page_text(extracted, 3).startswith("176\n\n")
    assert page_text(extracted, 4).startswith("2 790\n\n")  # a third figure in the same place: a header before
    assert [f.page for f in extracted.furniture if f.kind == "page_number"] == [1, 2, 3, 4]


def test_page_numbers_that_skip_the_cover_are_still_page_numbers():
    """A report numbers its pages from the first after the cover: "1" printed on the second page, and so on."""
    chunks = report_paragraphs(4_000)
    source = on_pages(chunks[:3], ["1"] + chunks[3:6], ["2"] + chunks[6:9], ["3"] + chunks[9:12])

    extracted = extract(source)

    assert [(f.page, f.text) for f in extracted.furniture if f.kind == "page_number" and f.text.isdigit()] == [
        (2, "1"), (3, "2"), (4, "3")]


@pytest.mark.parametrize(
    ("pages", "degrees"),
    [((3,), 90), ((2,), 270), ((2,), 180), (None, 90)],
    ids=["one-page-90", "one-page-270", "one-page-180", "every-page-90"],
)
def test_a_page_turned_on_screen_reads_as_printed(report, extracted, pages, degrees):
    """A /Rotate turns how a page is shown, not what is printed on it: same text, pages and furniture."""
    rotate = dict.fromkeys(pages or range(1, report.page_count + 1), degrees)
    turned = render_pdf(report_paragraphs(11_000), header=HEADER, footer=FOOTER, rotate=rotate)

    assert extract_pdf(turned.data, max_pages=50) == extracted


LAYOUTS = {"P": PAGE_BREAK, "L": LANDSCAPE_PAGE, "S": SIDEWAYS_PAGE}


def laid_out(layouts: str, pages: list[list[str]], rotate: dict[int, int] | None = None) -> SourceText:
    """``pages`` printed each on its own page, laid out as the letters of ``layouts`` say: P portrait,
    L landscape, S portrait with the body printed sideways."""
    source = [paragraph for layout, page in zip(layouts, pages) for paragraph in [LAYOUTS[layout], *page]]
    rendered = render_pdf(source, header=HEADER, footer=FOOTER, rotate=rotate)
    assert rendered.page_count == len(pages) == len(layouts)
    return extract_pdf(rendered.data, max_pages=10)


def assert_read_as_printed(extracted: SourceText, pages: list[list[str]]) -> None:
    """Each page's paragraphs, in order and apart, and its header, footer and page number set aside."""
    assert extracted.text == "\n\n".join(paragraph for page in pages for paragraph in page)
    for n, page in enumerate(pages, start=1):
        assert page_text(extracted, n).startswith(page[0]), f"page {n}"
    for n in range(1, len(pages) + 1):
        kept = {(f.kind, f.text) for f in extracted.furniture if f.page == n}
        assert kept == {("header", HEADER), ("footer", FOOTER), ("page_number", f"Page {n} / {len(pages)}")}


@pytest.fixture(scope="module")
def long_paragraphs() -> list[str]:
    """Paragraphs of the report long enough to wrap, with words hyphenated at line ends."""
    return [p for p in report_paragraphs(60_000) if 300 < len(p) < 800 and not isinstance(p, Heading)]


@pytest.mark.parametrize("layouts", ["LLL", "PLP", "PLLLP"])
def test_landscape_pages_among_portrait_ones(long_paragraphs, layouts):
    """A landscape MediaBox (a Word landscape section): its footer stands lower, still a footer."""
    pages = [long_paragraphs[2 * n : 2 * n + 2] for n in range(len(layouts))]

    assert_read_as_printed(laid_out(layouts, pages), pages)


@pytest.mark.parametrize(
    ("layouts", "rotate"),
    [("PSP", None), ("PSP", {2: 90}), ("SSS", {1: 90, 2: 90, 3: 90})],
    ids=["printed-sideways", "shown-upright", "whole-report-shown-upright"],
)
def test_a_body_printed_sideways_reads_line_after_line(long_paragraphs, layouts, rotate):
    """A portrait page whose body is printed turned a quarter, its header and footer upright: an annex
    table too wide for the page, shown sideways or, with a /Rotate, upright on screen; or a whole report
    so printed, as a scan of landscape pages given a text layer."""
    pages = [long_paragraphs[:2], long_paragraphs[2:5], long_paragraphs[5:7]]

    assert_read_as_printed(laid_out(layouts, pages, rotate), pages)


def test_a_note_printed_up_the_margin_is_furniture_not_body(report, extracted):
    """A reference printed sideways along the margin of every page is a running header of the page turned
    so it reads upright; it is neither interleaved with the body nor glued to it."""
    note = "Document de travail – ne pas diffuser"
    noted = render_pdf(report_paragraphs(11_000), header=HEADER, footer=FOOTER, margin_note=note)

    found = extract_pdf(noted.data, max_pages=50)

    assert (found.text, found.pages) == (extracted.text, extracted.pages)
    assert {f for f in found.furniture if f.text == note} == {
        Furniture(n, "header", note) for n in range(1, noted.page_count + 1)
    }


def test_owner_only_encryption_is_readable():
    source = report_paragraphs(1_500)
    text = extract_pdf(encrypted_pdf(source, user_password=""), max_pages=5).text
    assert flat(source[0]) in flat(text)


@pytest.fixture(scope="module")
def small_pdf() -> bytes:
    return make_pdf(report_paragraphs(3_000), header=HEADER, footer=FOOTER)


def noise(seed: int) -> bytes:
    return random.Random(seed).randbytes(4096)


@pytest.mark.parametrize(
    ("make", "error"),
    [
        pytest.param(lambda pdf: b"", EmptyDocument, id="empty"),
        pytest.param(lambda pdf: b" \n\t ", EmptyDocument, id="blank"),
        pytest.param(lambda pdf: noise(0), UnreadablePdf, id="random-bytes"),
        pytest.param(lambda pdf: b"%PDF-1.7\n" + noise(1), UnreadablePdf, id="pdf-then-noise"),
        pytest.param(lambda pdf: truncated_pdf(pdf), UnreadablePdf, id="truncated"),
        pytest.param(lambda pdf: encrypted_pdf(["Rapport."]), EncryptedPdf, id="encrypted"),
        pytest.param(lambda pdf: scanned_pdf(), NoTextLayer, id="scanned"),
        pytest.param(lambda pdf: undecodable_pdf(["Rapport."] * 5), UndecodableText, id="no-cmap"),
    ],
)
def test_bad_input_raises_the_matching_error(small_pdf, make, error):
    with pytest.raises(error):
        extract_pdf(make(small_pdf), max_pages=5)


def test_scanned_pdf_is_named_as_such():
    with pytest.raises(NoTextLayer, match="scanned"):
        extract_pdf(scanned_pdf(), max_pages=5)


def test_too_many_pages(report):
    with pytest.raises(TooManyPages, match=f"{report.page_count} pages; at most 2"):
        extract_pdf(report.data, max_pages=2)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (EmptyDocument, "empty_document"),
        (UnreadablePdf, "unreadable_pdf"),
        (EncryptedPdf, "encrypted_pdf"),
        (NoTextLayer, "no_text_layer"),
        (TooManyPages, "too_many_pages"),
        (UnsupportedType, "unsupported_type"),
        (UndecodableText, "undecodable_text"),
    ],
)
def test_errors_carry_a_stable_code(error, code):
    assert issubclass(error, DocumentError) and error.code == code


def test_a_sentence_running_on_over_a_page_break_is_not_cut_by_a_blank_line():
    """A paragraph printed across two pages came out with the pages' blank line in the middle of its sentence
    ("une grande\\n\\nproportion"), in the document text and so in the passage a search shows; as on a page, its
    lines are joined after a space (a word split at the page's end mended), and the pages still tile the text."""
    rendered = render_pdf(corpus_paragraphs(REPO.parent / "shared" / "corpus" / "001_d290a1a4feb3bef7.txt", 40_000),
                          header=HEADER, footer=FOOTER)
    extracted = extract_pdf(rendered.data, max_pages=50)
    crossing = [(a, b) for a, b in zip(rendered.lines, rendered.lines[1:])
                if a.paragraph == b.paragraph and a.page != b.page]
    assert len(crossing) >= 5
    for a, b in crossing:
        before, after = " ".join(a.text.split()[-3:]), " ".join(b.text.split()[:3])
        joined = before[:-1] + after if a.cut == "word" else before + ("" if a.cut == "compound" else " ") + after
        assert joined in extracted.text, joined
        end = extracted.pages[a.page - 1].end
        assert "\n" not in extracted.text[end - 1:end + 1]
    pages = extracted.pages
    assert pages[0].start == 0 and pages[-1].end == len(extracted.text)
    assert all(a.end == b.start for a, b in zip(pages, pages[1:]))
