"""Front matter at the top of a markdown export is the document's metadata: never a passage, never a heading."""

import pytest

from gold import covering, process_marked, shipped_models
from ancols_nlp.pipelines.front_matter import front_matter
from ancols_nlp.pipelines.process import process_text
from ancols_nlp.pipelines.sentences import load_sentencizer
from ancols_nlp.pipelines.types import SourceText

BODY = """## 2.1 Gouvernance

<obs theme=gouvernance>Le conseil d'administration s'est réuni quatre fois par an sur la période contrôlée.</obs>
"""
YAML_HEAD = """---
title: "Rapport définitif de contrôle n° 2016-047 : Espace Domicile"
date: 2017-11-20
tags:
  - ancols
---
"""
TOML_HEAD = """+++
title = 'Rapport définitif de contrôle n° 2016-047 : Espace Domicile'
draft = false
+++
"""


@pytest.mark.parametrize("head", [YAML_HEAD, TOML_HEAD, "\ufeff" + YAML_HEAD.replace("\n", "\r\n")])
def test_front_matter_gives_the_title_and_no_passage(head):
    text, gold, doc = process_marked(head + "\n" + BODY)
    assert doc.meta.title == "Rapport définitif de contrôle n° 2016-047 : Espace Domicile"
    assert doc.meta.report_number == "2016-047"  # the title is read as the document's first line
    assert doc.segments[0].start >= len(head) and [s.title for s in doc.sections] == ["2.1 Gouvernance"]
    segment = covering(doc, gold[0])
    assert (segment.start, segment.end, segment.kind) == (gold[0].start, gold[0].end, "observation")
    assert segment.section_path == ["2.1 Gouvernance"]


def test_a_reply_letter_s_front_matter_title_is_its_title():
    """A letter's title is read past its salutation (its object line, or whom it answers); a title its front matter
    gives is still the one its author chose."""
    letter = "Monsieur le Directeur Général,\n\nNous contestons l'analyse du rapport de contrôle sur la Coop.\n" * 3
    text, _, doc = process_marked('---\ntitle: "Réponse de la Coop au contrôle"\n---\n' + letter)
    assert (doc.meta.doc_type, doc.meta.title) == ("reply", "Réponse de la Coop au contrôle")


def test_front_matter_without_a_title_leaves_the_title_to_the_text():
    text, _, doc = process_marked("---\nlayout: post\n---\n# Rapport de contrôle\n\n" + BODY)
    assert doc.meta.title == "Rapport de contrôle" and "layout" not in " ".join(s.text for s in doc.segments)


@pytest.mark.parametrize("title, read", [
    ("title: Contrôle de l'OPH # brouillon", "Contrôle de l'OPH"),
    ("title: 'L''office public'", "L'office public"),
    ('title: "Le \\"Toit\\" forézien"', 'Le "Toit" forézien'),
    ("title: >-\n  Rapport de\n  contrôle", "Rapport de contrôle"),
])
def test_yaml_titles_as_static_sites_write_them(title, read):
    assert front_matter(f"---\n{title}\n---\ntexte").title == read


@pytest.mark.parametrize("text", [
    "---\n\nLe rapport commence par une ligne.\n---\nSuite.",  # two rules around text: not keyed
    "Introduction.\n---\ntitle: x\n---\n",  # not at the very top
    "---\ntitle: jamais fermé\nLe texte suit.",  # never closed
])
def test_only_keyed_and_closed_front_matter_at_the_very_top_counts(text):
    assert front_matter(text) is None


def test_a_word_or_html_file_is_not_read_for_front_matter():
    text = YAML_HEAD + "\n" + BODY.replace("<obs theme=gouvernance>", "").replace("</obs>", "")
    doc = process_text(SourceText(text, "text/html"), nlp=load_sentencizer(), models=shipped_models())
    assert doc.segments[0].start == 0
