"""``ancols ingest --ray`` stores what the plain ``ancols ingest`` stores, and reports bad files alike.

Ray binds to every interface and reaches itself through the machine's address, so its run is
confined to a network namespace with only loopback (``unshare -n``, which needs root)."""

import os
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from pdfgen import corpus_paragraphs, make_pdf, truncated_pdf

from ancols_nlp.index.documents import DocumentStore
from ancols_nlp.index.rows import reading

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK_ONLY = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]


def run_ingest(folder: Path, data_dir: Path, *, ray: bool) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "ancols_nlp.service.cli", "--data-dir", str(data_dir), "ingest", str(folder)]
    if ray:
        command = [*LOOPBACK_ONLY, *command, "--ray"]
    # Two workers (2 processing + 2 embedder actors) on two logical CPUs, as on the CI machine.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ANCOLS_RAY_NUM_CPUS": "2", "ANCOLS_RAY_WORKERS": "2"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def stored(data_dir: Path) -> dict[str, tuple[dict, list[dict], np.ndarray]]:
    """filename → (document row, segment rows, segment vectors), without the ids each store draws."""
    with reading(data_dir / "ancols.sqlite3") as reader:
        rows = reader.rows()
    ids, vectors = rows.ids, rows.vectors
    meta = DocumentStore(data_dir / "ancols.sqlite3")
    try:
        row_of = {int(i): n for n, i in enumerate(ids)}
        out = {}
        for record in meta.documents(limit=100, offset=0)[0]:
            doc = asdict(record)
            segments = [asdict(s) for s in meta.segments_of(record.id, limit=100_000, offset=0)[0]]
            uids = [s.pop("uid") for s in segments]
            for s in segments:
                del s["document_id"]
            del doc["id"], doc["created_at"]
            out[doc["filename"]] = (doc, segments, vectors[[row_of[u] for u in uids]])
        return out
    finally:
        meta.close()


@pytest.fixture(scope="module")
def folder(corpus_dir, tmp_path_factory) -> Path:
    """The shared corpus, one report rendered as a PDF (pages, the PDF reader's sandbox) and a broken PDF."""
    if os.geteuid() != 0:
        pytest.fail("the Ray ingestion test needs root: it runs Ray in a loopback-only network namespace (unshare -n)")
    missing = [tool for tool in ("unshare", "ip") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"the Ray ingestion test needs {', '.join(missing)} (Debian: util-linux, iproute2)")
    out = tmp_path_factory.mktemp("inbox")
    for path in sorted(corpus_dir.glob("*.txt")):
        shutil.copy(path, out / path.name)
    pdf = make_pdf(corpus_paragraphs(sorted(corpus_dir.glob("*.txt"))[1], 8000), header="Rapport de contrôle",
                   footer="ANCOLS")
    (out / "report.pdf").write_bytes(pdf)
    (out / "broken.pdf").write_bytes(truncated_pdf(pdf))
    return out


def test_ray_ingestion_stores_what_the_plain_path_stores(folder, tmp_path):
    plain = run_ingest(folder, tmp_path / "plain", ray=False)
    distributed = run_ingest(folder, tmp_path / "ray", ray=True)

    for run in (plain, distributed):
        assert run.returncode == 1, run.stderr[-3000:]  # one bad file: reported, the others stored
        assert "broken.pdf" in run.stderr and "[unreadable_pdf]" in run.stderr
    expected, got = stored(tmp_path / "plain"), stored(tmp_path / "ray")
    assert sorted(got) == sorted(expected) == sorted(p.name for p in folder.iterdir() if p.name != "broken.pdf")
    for filename, (doc, segments, vectors) in expected.items():
        ray_doc, ray_segments, ray_vectors = got[filename]
        assert ray_doc == doc, filename
        assert len(segments) > 20
        for segment, ray_segment in zip(segments, ray_segments, strict=True):
            # Scores may move by one rounding step: Ray runs its workers with OMP_NUM_THREADS=1, and fewer BLAS
            # threads sum in another order (1e-6 seen on kinds); a theme score is stored to 4 places
            # (models/themes/model.py), so a last-bit difference across a rounding boundary shows as 1e-4.
            for scores, step in (("kind_scores", 1e-5), ("theme_scores", 1.5e-4)):
                assert ray_segment.pop(scores) == pytest.approx(segment.pop(scores), abs=step), (filename, segment)
            assert ray_segment == segment, filename
        np.testing.assert_allclose(ray_vectors, vectors, atol=1e-5, err_msg=filename)
    assert any(s["responds_to"] for _, segments, _ in expected.values() for s in segments)
    assert any(s["page_start"] for s in expected["report.pdf"][1])
