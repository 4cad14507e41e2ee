"""``ancols``: the options every command takes work before the command's name and after it."""

import json
import os
import subprocess
import sys
import unicodedata

import pytest

from officegen import corpus_parts, make_docx, make_html

from ancols_nlp.index.documents import DocumentStore
from ancols_nlp.service.cli import main

REPORT = """Rapport définitif de contrôle n° 2021-042

1. Gestion locative

Le taux de vacance commerciale atteint 14 % des locaux en 2021, bien au-dessus de la moyenne des organismes.

La société doit réduire la vacance de ses locaux commerciaux.
"""
FINDING = "Le taux de vacance commerciale atteint 14 % des locaux en 2021"


def found(capsys, argv: list[str]) -> list[str]:
    """Texts of the passages ``ancols ... search --json`` prints."""
    capsys.readouterr()
    assert main(argv) == 0
    return [json.loads(line)["text"] for line in capsys.readouterr().out.splitlines()]


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict:
    """A store filled by ``ancols ingest FILE --data-dir D``, and an empty one; the working directory is a third
    folder, so a CLI that ignored ``--data-dir`` would write ./data there."""
    root = tmp_path_factory.mktemp("cli")
    report = root / "rapport.txt"
    report.write_text(REPORT, encoding="utf-8")
    filled, empty, cwd = root / "filled", root / "empty", root / "cwd"
    cwd.mkdir()
    empty.mkdir()  # a store with nothing in it (a missing one is an error)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        patch.delenv("ANCOLS_DATA_DIR", raising=False)
        assert main(["ingest", str(report), "--data-dir", str(filled)]) == 0
    return {"filled": filled, "empty": empty, "cwd": cwd}


@pytest.fixture
def cwd(stores, monkeypatch):
    monkeypatch.chdir(stores["cwd"])
    monkeypatch.delenv("ANCOLS_DATA_DIR", raising=False)
    yield
    assert not (stores["cwd"] / "data").exists(), "a command fell back to ./data"


def test_data_dir_after_the_command(stores, cwd, capsys):
    texts = found(capsys, ["search", "vacance commerciale", "--json", "--data-dir", str(stores["filled"])])
    assert any(FINDING in " ".join(t.split()) for t in texts), texts


def test_data_dir_before_the_command(stores, cwd, capsys):
    texts = found(capsys, ["--data-dir", str(stores["filled"]), "search", "vacance commerciale", "--json"])
    assert any(FINDING in " ".join(t.split()) for t in texts), texts
    assert found(capsys, ["--data-dir", str(stores["empty"]), "search", "vacance commerciale", "--json"]) == []


@pytest.mark.parametrize("before, after, hits", [("empty", "filled", True), ("filled", "empty", False)])
def test_the_option_after_the_command_wins(stores, cwd, capsys, before, after, hits):
    texts = found(capsys, ["--data-dir", str(stores[before]), "search", "vacance commerciale", "--json",
                           "--data-dir", str(stores[after])])
    assert bool(texts) is hits, texts


def test_search_takes_a_grain_and_its_default_from_the_environment(stores, cwd, capsys, monkeypatch):
    """--grain sentence ranks sentences (a passage's score + 0.5 × the share of the query's terms each holds);
    without it, ANCOLS_SEARCH_GRAIN decides (sentence unless set)."""
    def results(*extra: str) -> list[dict]:
        capsys.readouterr()
        assert main(["search", "vacance commerciale", "--json", "--data-dir", str(stores["filled"]), *extra]) == 0
        return [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    passages, sentences = results("--grain", "passage"), results("--grain", "sentence")
    assert sentences == results() and passages != sentences
    assert all(r["passage_start"] <= r["start"] < r["end"] <= r["passage_end"] for r in sentences)
    assert sentences[0]["score"] == pytest.approx(passages[0]["score"] + 0.5)  # one of its sentences holds both
    assert any(FINDING in r["text"] for r in sentences)
    monkeypatch.setenv("ANCOLS_SEARCH_GRAIN", "passage")
    assert results() == passages and results("--grain", "sentence") == sentences


def test_a_file_that_cannot_be_read_is_reported_and_the_others_ingested(tmp_path, corpus_dir, capsys):
    """/proc/self/mem is a regular file whose read fails (EIO) even for root, as a file without read permission
    does for others: it is one failure (exit 1), not a traceback that leaves the next report out."""
    reports = [corpus_dir / "000_ad04bc466fc4cae0.txt", corpus_dir / "004_964ee9d999fa8f65.txt"]
    argv = ["ingest", str(reports[0]), "/proc/self/mem", str(reports[1]), "--data-dir", str(tmp_path)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "✗ /proc/self/mem" in err and "[unreadable_file]" in err
    assert all(f"✓ {r.name}" in err for r in reports)


def test_a_folder_walk_picks_up_word_and_web_pages(tmp_path, corpus_dir, capsys):
    """``ancols ingest FOLDER`` takes the .docx and .html files among the others, and leaves what it cannot read,
    saying so: the legacy .doc was left out without a word, so a folder's old reports went missing unseen."""
    folder = tmp_path / "exports"
    folder.mkdir()
    report = corpus_dir / "000_ad04bc466fc4cae0.txt"
    (folder / "reponse.docx").write_bytes(make_docx(corpus_parts(report, limit_chars=6000)))
    (folder / "reponse.html").write_bytes(make_html(corpus_parts(report, limit_chars=6000)))
    (folder / "ancien.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")  # a file the system keeps there: not a document
    assert main(["ingest", str(folder), "--data-dir", str(tmp_path / "data")]) == 0
    err = capsys.readouterr().err
    assert "✓ reponse.docx" in err and "✓ reponse.html" in err and "✗" not in err
    assert f"ancols: {folder}: 1 file left out, not of a type ancols reads" in err and "ancien.doc" in err
    assert "DS_Store" not in err


def test_a_folder_with_nothing_to_ingest_is_an_error(tmp_path, corpus_dir, capsys):
    """A folder holding no file of an accepted type (the wrong folder, say: here a legacy .doc) is said, exit
    non-zero, like a missing path; it was a silent success that ingested nothing."""
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "rapport.doc").write_bytes((corpus_dir / "000_ad04bc466fc4cae0.txt").read_bytes())
    with pytest.raises(SystemExit) as exit_:
        main(["ingest", str(folder), "--data-dir", str(tmp_path / "data")])
    assert exit_.value.code not in (0, None) and str(folder) in str(exit_.value.code)


@pytest.mark.parametrize("name, value", [("ANCOLS_WORKERS", "deux"), ("ANCOLS_MAX_UPLOAD_MB", "-1"),
                                         ("ANCOLS_CORS_ORIGINS", "http://localhost:3000"),
                                         ("ANCOLS_LOG_LEVEL", "BAVARD"), ("ANCOLS_SPACY_MODEL", "fr_core_news_xs")])
def test_a_bad_setting_is_named_at_start(tmp_path, monkeypatch, capsys, name, value):
    """A wrong ANCOLS_* value stops every command with one line naming the variable (exit 2); it was a pydantic
    traceback (or, for the log level, a ValueError once the server set up its logging; for the spaCy model, an
    OSError when the server warmed up, or at the first file `ancols ingest` read)."""
    monkeypatch.setenv(name, value)
    assert main(["serve", "--data-dir", str(tmp_path), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ancols: {name}") and "Traceback" not in err and err.count("\n") == 1, err


def test_ctrl_c_during_ingest_stops_with_one_line_and_keeps_what_was_stored(tmp_path, corpus_dir, monkeypatch,
                                                                            capsys):
    """Ctrl-C in the middle of `ancols ingest` printed a 40-line KeyboardInterrupt traceback (from inside the
    embedder). It now says which files are stored: those ingested before it, whole; the one it cut, not at all."""
    from ancols_nlp.service import cli

    reports = [corpus_dir / "000_ad04bc466fc4cae0.txt", corpus_dir / "001_d290a1a4feb3bef7.txt"]
    ingest_one = cli._ingest_one

    def interrupted_at_the_second(runtime, path):
        if path == reports[1]:
            raise KeyboardInterrupt
        return ingest_one(runtime, path)

    monkeypatch.setattr(cli, "_ingest_one", interrupted_at_the_second)
    assert main(["ingest", *map(str, reports), "--data-dir", str(tmp_path)]) == 130
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.rstrip().splitlines()[-1].startswith("ancols: interrupted"), err
    monkeypatch.setattr(cli, "_ingest_one", ingest_one)
    assert main(["ingest", *map(str, reports), "--data-dir", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert f"✓ {reports[0].name}" in err and "(already stored)" in err, err
    from ancols_nlp.service.runtime import Runtime
    from ancols_nlp.service.settings import Settings

    runtime = Runtime.from_settings(Settings(data_dir=tmp_path))
    try:  # the one cut stored whole on the rerun: the count printed is the store's
        stored = {d.filename: d.segment_count for d in runtime.store.meta.documents(limit=10, offset=0)[0]}
    finally:
        runtime.close()
    assert stored[reports[1].name] > 0 and f"({stored[reports[1].name]} segments)" in err, (stored, err)


@pytest.mark.parametrize("argv, said", [(["search", "vacance", "-k", "-3"], "-k"),
                                        (["search", "vacance", "-k", "0"], "-k"), (["search", "  "], "empty"),
                                        (["serve", "--workers", "0"], "--workers")])
def test_search_and_serve_refuse_bad_arguments(stores, cwd, capsys, argv, said):
    """-k -3 printed every passage but the last 3 (a negative slice), an empty query printed 10 passages,
    --workers 0 was taken as "not given"; the API refuses each (422)."""
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--data-dir", str(stores["filled"])])
    assert exit_.value.code == 2 and said in capsys.readouterr().err


def test_search_takes_the_api_limits_from_the_settings(stores, cwd, capsys, monkeypatch):
    """`ancols search -k 500` printed 500 passages and took a query of any length, where the API refuses more than
    ANCOLS_MAX_RESULTS results and a query past ANCOLS_MAX_QUERY_CHARS: the same limits, in the API's words."""
    monkeypatch.setenv("ANCOLS_MAX_RESULTS", "3")
    monkeypatch.setenv("ANCOLS_MAX_QUERY_CHARS", "20")
    data = ["--data-dir", str(stores["filled"])]
    with pytest.raises(SystemExit) as exit_:
        main(["search", "vacance", "-k", "4", *data])
    assert exit_.value.code == 2
    assert "-k: Input should be less than or equal to 3, the limit ANCOLS_MAX_RESULTS sets." in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["search", "vacance des logements familiaux", *data])
    assert exit_.value.code == 2
    assert ("The query is longer than 20 characters, the limit ANCOLS_MAX_QUERY_CHARS sets."
            in capsys.readouterr().err)
    assert 0 < len(found(capsys, ["search", "vacance", "-k", "3", "--json", *data])) <= 3


@pytest.mark.parametrize("query", ["?!… ;;", "le la les"])
def test_search_refuses_a_query_with_no_word_to_search(stores, cwd, capsys, query):
    """Punctuation or stopwords alone printed 10 passages the dense side ranked at random; the API refuses it."""
    assert main(["search", query, "--data-dir", str(stores["filled"])]) == 2
    assert "no word to search" in capsys.readouterr().err


def test_search_on_an_empty_store_says_it_holds_nothing(stores, cwd, capsys):
    """A store whose first ingest was interrupted (Ctrl-C) printed nothing at all, exit 0: no result, no reason."""
    assert main(["search", "vacance commerciale", "--data-dir", str(stores["empty"])]) == 0
    out = capsys.readouterr()
    assert out.out == "" and f"the store at {stores['empty']} holds no document" in out.err, out


def test_search_on_a_missing_store_says_so_and_creates_nothing(tmp_path, capsys):
    """A mistyped --data-dir created an empty store there and printed no result, as if nothing matched."""
    missing = tmp_path / "dta"
    assert main(["search", "vacance", "--data-dir", str(missing)]) == 2
    assert f"no store at {missing}" in capsys.readouterr().err and not missing.exists()


def test_a_data_dir_that_is_a_file_is_named(tmp_path, capsys):
    """It was a FileExistsError traceback (serve: a failed lifespan)."""
    afile = tmp_path / "data"
    afile.write_text("")
    assert main(["ingest", str(afile), "--data-dir", str(afile)]) == 2
    assert capsys.readouterr().err.startswith(f"ancols: ANCOLS_DATA_DIR: {afile} is not a directory")


def test_output_into_a_closed_pipe_is_no_traceback(stores, tmp_path):
    """`ancols search ... | head -1` ended with a BrokenPipeError traceback once head had its line."""
    command = [sys.executable, "-m", "ancols_nlp.service.cli", "search", "vacance commerciale", "--json",
               "--data-dir", str(stores["filled"])]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    process.stdout.close()  # the reader is gone before the first line
    err = process.stderr.read().decode()
    assert process.wait() != 0 and "Traceback" not in err and "BrokenPipe" not in err, err


def test_ingest_prints_the_scanned_pages_it_could_not_read(tmp_path, corpus_dir, monkeypatch, capsys):
    from pdfgen import corpus_paragraphs, rasterised_pdf, render_pdf

    printed = render_pdf(corpus_paragraphs(corpus_dir / "001_d290a1a4feb3bef7.txt", limit_chars=6000),
                         header="ANCOLS", footer="Rapport")
    assert printed.page_count >= 3
    report = tmp_path / "annexe.pdf"
    report.write_bytes(rasterised_pdf(printed.data, only={2, 3}))
    monkeypatch.setenv("ANCOLS_OCR", "off")
    assert main(["ingest", str(report), "--data-dir", str(tmp_path / "data")]) == 0
    printed_lines = capsys.readouterr().err.splitlines()
    assert any(line.startswith("✓ annexe.pdf") for line in printed_lines)
    assert "  ! Pages 2, 3 are scanned and not read, so missing from the text and from search: OCR is turned off " \
           "here (ANCOLS_OCR). [unread_scanned_pages]" in printed_lines


def test_an_embedding_model_that_cannot_be_loaded_is_named_in_one_line(tmp_path, corpus_dir, monkeypatch, capsys):
    """A model name the machine cannot fetch (no Hub here) or a wrong path was a 90-line traceback from inside
    transformers; the user is told what to set instead."""
    monkeypatch.setenv("ANCOLS_EMBEDDING_MODEL", str(tmp_path / "no-such-model"))
    assert main(["ingest", str(corpus_dir / "000_ad04bc466fc4cae0.txt"), "--data-dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ancols: the embedding model") and "ANCOLS_EMBEDDING_MODEL" in err, err
    assert "Traceback" not in err and err.count("\n") == 1, err


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["ingest", "report.txt"]])
def test_a_data_dir_that_cannot_be_created_is_named_in_one_line(tmp_path, capsys, command):
    """Under a file, /proc or a read-only mount: it was a FileNotFoundError traceback (serve: a failed start-up)."""
    afile = tmp_path / "afile"
    afile.write_text("")
    assert main([*command, "--data-dir", str(afile / "data")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ancols: ANCOLS_DATA_DIR: {afile / 'data'} cannot be created") and err.count("\n") == 1, err


def test_search_json_prints_what_the_api_answers(tmp_path, corpus_dir, capsys):
    """`ancols search --json` printed the store's rows: an internal uid, responds_to as bare positions ([446, 444,
    443] for report 004's answer on asbestos), no segment id to ask /segments for, no organism nor highlights."""
    from fastapi.testclient import TestClient

    from ancols_nlp.service.app import create_app
    from ancols_nlp.service.settings import Settings

    query = "prescriptions concernant l'amiante"
    assert main(["ingest", str(corpus_dir / "004_964ee9d999fa8f65.txt"), "--data-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["search", query, "-k", "5", "--json", "--data-dir", str(tmp_path)]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        answered = client.get("/search", params={"q": query, "k": 5}).json()["results"]
    assert [line.pop("rank") for line in printed] == [1, 2, 3, 4, 5]
    assert printed == answered
    assert any(r["responds_to"] for r in printed) and printed[0]["organism"] == "Le Toit Forézien"
    # Accents decomposed (NFD: "e" + U+0301, as pasted from a PDF) are searched as the API searches them, composed:
    # the typo rule read "créances" as "cr" and "ances" and searched "annes" too.
    decomposed = unicodedata.normalize("NFD", "créances impayées")
    assert main(["search", decomposed, "-k", "5", "--json", "--data-dir", str(tmp_path)]) == 0
    printed = capsys.readouterr()
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        answered = client.get("/search", params={"q": "créances impayées", "k": 5}).json()["results"]
    assert "also searched" not in printed.err
    assert [json.loads(line)["id"] for line in printed.out.splitlines()] == [r["id"] for r in answered]


@pytest.mark.parametrize("json_lines", [False, True])
def test_search_says_which_misspelt_word_it_also_searched(stores, cwd, capsys, json_lines):
    """"vaccance commerciale" printed the "vacance" passages with no word of why: /search names the correction
    (``corrections``, the web page's "cherché aussi"), the terminal did not. It says it on stderr (stdout keeps the
    passages, or the JSON lines)."""
    argv = ["search", "vaccance commerciale", "--data-dir", str(stores["filled"])] + ["--json"] * json_lines
    capsys.readouterr()
    assert main(argv) == 0
    printed = capsys.readouterr()
    assert "also searched 'vacance' for 'vaccance'" in printed.err
    assert FINDING in " ".join(printed.out.split())
    assert main(["search", "vacance commerciale", "--data-dir", str(stores["filled"])]) == 0
    assert "also searched" not in capsys.readouterr().err


def test_a_file_named_in_another_encoding_is_ingested_under_a_readable_name(tmp_path, corpus_dir, capsys):
    """A folder copied from an old Windows archive names a report in Windows-1252: the name, undecodable as UTF-8,
    could not be stored, and the ingest ended in a traceback with the folder's other reports left out."""
    folder = tmp_path / "archive"
    folder.mkdir()
    report = corpus_dir / "000_ad04bc466fc4cae0.txt"
    (folder / os.fsdecode(b"rapport-\xe9t\xe9.txt")).write_bytes(report.read_bytes())
    (folder / "suivant.txt").write_bytes((corpus_dir / "004_964ee9d999fa8f65.txt").read_bytes())
    assert main(["ingest", str(folder), "--data-dir", str(tmp_path / "data")]) == 0
    assert "✓ suivant.txt" in capsys.readouterr().err
    stored = DocumentStore(tmp_path / "data" / "ancols.sqlite3")
    try:
        names = {row.filename for row in stored.documents(limit=10, offset=0)[0]}
    finally:
        stored.close()
    assert names == {"rapport-été.txt", "suivant.txt"}


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory, corpus_dir) -> list[str]:
    """``--data-dir`` of a store holding Coop'Ivry Habitat's reply (000) and Le Toit Forézien's report (004)."""
    data = tmp_path_factory.mktemp("two-reports")
    reports = [corpus_dir / "000_ad04bc466fc4cae0.txt", corpus_dir / "004_964ee9d999fa8f65.txt"]
    assert main(["ingest", *map(str, reports), "--data-dir", str(data)]) == 0
    return ["--data-dir", str(data)]


@pytest.mark.parametrize("option, value, field, kept", [("--kind", "recommendation", "kind", "recommendation"),
                                                        ("--organism", "le toit forezien", "organism",
                                                         "Le Toit Forézien"),
                                                        ("--doc-type", "reply", "doc_type", "reply")])
def test_search_takes_the_api_filters(two_reports, capsys, option, value, field, kept):
    """`ancols search` had none of the filters GET /search takes: it printed every kind and both organisms'
    passages. Each filter keeps only its passages, chosen before the best k are cut (more of them than the
    unfiltered top 20 holds); an organism is named as the API reads it (accents and case aside)."""
    def results(*extra: str) -> list[dict]:
        capsys.readouterr()
        assert main(["search", "gestion locative", "-k", "20", "--json", *two_reports, *extra]) == 0
        return [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    unfiltered, filtered = results(), results(option, value)
    assert {r[field] for r in unfiltered} > {kept}, unfiltered
    assert filtered and {r[field] for r in filtered} == {kept}
    assert len(filtered) > sum(r[field] == kept for r in unfiltered)


@pytest.mark.parametrize("argv, said", [(["--theme", "loyer"], "argument --theme: invalid choice: 'loyer'"),
                                        (["--kind", "recommandation"], "argument --kind: invalid choice"),
                                        (["--year-min", "2022", "--year-max", "2020"], "year_min (2022) is after")])
def test_search_refuses_a_filter_value_it_does_not_know(two_reports, capsys, argv, said):
    """A misspelt theme or kind, or years swapped: exit 2 with argparse's message, before the store is opened."""
    with pytest.raises(SystemExit) as exit_:
        main(["search", "gestion locative", *two_reports, *argv])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and said in err and "Traceback" not in err, err


def test_search_refuses_an_organism_no_stored_document_names(two_reports, capsys):
    """The API's refusal (it matched no passage, and the empty answer read as "the reports say nothing on it"), in
    one line that lists the organisms stored."""
    assert main(["search", "gestion locative", "--organism", "Lozère Habitations", *two_reports]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ancols: argument --organism: No stored document names the organism 'Lozère Habitations'")
    assert "Le Toit Forézien" in err and err.count("\n") == 1, err
