"""Markdown code fences: inside one nothing is markup; each line is a paragraph and a passage of its own, whose kind
the kind model reads as for any line."""

from gold import covering, process_marked
from ancols_nlp.pipelines.layout import blocks

FENCE = "`" * 3  # written out so this file's own text stays plain
FENCED_REPORT = f"""## 3.1 Impayés

<obs theme=impayes>Le taux d'impayés atteint 4,2 % des loyers quittancés en 2016, contre 3,1 % en 2014.</obs>

{FENCE}text
# cotation du risque
| entrée | points |
- impayé < 90 jours = + 1
1. Plan d'apurement respecté
{FENCE}

<rec theme=impayes>La société doit renforcer le suivi des locataires en situation d'impayé dès le premier mois.</rec>
"""


def kinds_and_text(text):
    return [(b.kind, text[b.start:b.end]) for b in blocks(text)]


def test_nothing_inside_a_fence_is_a_heading_a_table_or_a_list():
    text, gold, doc = process_marked(FENCED_REPORT)
    assert [s.title for s in doc.sections] == ["3.1 Impayés"]
    fenced = text[text.index(FENCE):text.rindex(FENCE) + 3]
    lines = fenced.splitlines()
    assert kinds_and_text(fenced) == [("paragraph", line) for line in lines]
    inside = [s for s in doc.segments if text.index(FENCE) <= s.start < text.rindex(FENCE) + 3]
    assert [(s.block, s.text, s.section_path) for s in inside] == [("paragraph", ln, ["3.1 Impayés"]) for ln in lines]
    for span in gold:  # the text around keeps its kinds and its section
        segment = covering(doc, span)
        assert (segment.start, segment.end, segment.kind) == (span.start, span.end, span.kind), segment.text
        assert segment.section_path == ["3.1 Impayés"]


def test_a_fenced_line_is_never_joined_to_its_neighbours():
    text = f"Le calcul retenu est le suivant :\n{FENCE}\nmontant = loyer\n  + charges\n{FENCE}\nla suite du texte."
    assert kinds_and_text(text) == [("paragraph", "Le calcul retenu est le suivant :"), ("paragraph", FENCE),
                                    ("paragraph", "montant = loyer"), ("paragraph", "+ charges"),
                                    ("paragraph", FENCE), ("paragraph", "la suite du texte.")]


def test_a_fence_closes_on_its_own_character_at_least_as_many_times():
    text = "~~~~\n# dans le bloc\n~~~\n```\n# toujours dedans\n~~~~~\n# Titre après le bloc\n"
    assert [k for k, _ in kinds_and_text(text)] == ["paragraph"] * 6 + ["heading"]


def test_an_unclosed_fence_runs_to_the_end_and_what_only_looks_like_one_is_markup():
    assert {k for k, _ in kinds_and_text(f"{FENCE}\n# reste du fichier\n- encore\n")} == {"paragraph"}
    inline = f"{FENCE}code{FENCE} en ligne\n# Un titre\n"  # a backtick fence's info string holds no backtick
    indented = f"    {FENCE}\n# Un titre\n"  # four spaces in: indented code, not a fence
    assert kinds_and_text(inline)[-1] == kinds_and_text(indented)[-1] == ("heading", "# Un titre")
