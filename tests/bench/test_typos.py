"""bench/typos.py's accent-stripped copies: a query typed without its accents, then misspelt as without the option."""

from bench.typos import main, unaccented

QUERIES = {"q1": "réhabilitation thermique des bâtiments", "q2": "régularisation des charges récupérables"}


def test_unaccented_drops_every_accent_and_keeps_the_letters():
    assert unaccented("Loère achète ses granulés à la société, cœur d'îlot") == \
        "Loere achete ses granules a la societe, cœur d'ilot"


def test_a_stripped_copy_is_the_query_without_accents_misspelt(tmp_path, capsys):
    queries = tmp_path / "q.tsv"
    queries.write_text("".join(f"{q}\t{text}\n" for q, text in QUERIES.items()))
    main([str(queries), "--strip-accents"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("--strip-accents)")
    for line in lines[1:]:
        q, text = line.split("\t")
        plain = unaccented(QUERIES[q])
        assert text.isascii() and text != plain and len(text.split()) == len(plain.split())
