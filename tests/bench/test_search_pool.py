"""Pooling sheets (bench/search_pool.py) on the reply letter 000's units: a top-up sheet lists only what is new."""

import json
from pathlib import Path

from bench.search_eval import load_score
from bench.search_pool import main

SHARED = Path(__file__).resolve().parents[3] / "shared"
DOC = "000_ad04bc466fc4cae0"


def _sheet(tmp_path, capsys, *extra) -> list[list[str]]:
    score = load_score(SHARED / "eval" / "score.py")
    units = {r[0]: (int(r[1]), int(r[2])) for r in score.read_tsv(SHARED / "eval" / "dev" / f"{DOC}.units.tsv")}
    run = tmp_path / "run.json"  # one system whose only result spans lines 226-228 of the letter
    run.write_text(json.dumps({"sys": {"q1": [[DOC, units["226"][0], units["228"][1]]]}}))
    queries = tmp_path / "q.tsv"
    queries.write_text("# a set\nq1\tcharges de gardiennage recuperables\n")
    main(["sheet", str(run), "--queries", str(queries), *extra])
    return [line.split("\t") for line in capsys.readouterr().out.splitlines()[1:]]


def test_a_top_up_sheet_leaves_out_the_units_already_graded(tmp_path, capsys):
    rows = _sheet(tmp_path, capsys)
    assert [r[2] for r in rows] == ["", "226", "227", "228"]  # the query line, then its pooled units in order
    judged = tmp_path / "judged.tsv"
    judged.write_text("query_id\tdoc\tunit_id\tgrade\tquery / unit text\nq1\t\t\t\t### q\n"
                      f"q1\t{DOC}\t227\t2\tgardien.ne.s\nq2\t{DOC}\t228\t1\tanother query's grade\n")
    rows = _sheet(tmp_path, capsys, "--skip", str(judged))
    assert [r[2] for r in rows] == ["", "226", "228"]  # 228 was graded for another query only
