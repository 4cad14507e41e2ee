"""House style: no line of Python source over 120 characters, in the package, its tests and its benches."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FOLDERS = ("pipelines", "models", "index", "service", "tests", "bench")
LIMIT = 120


def test_no_line_is_longer_than_the_limit():
    long = [f"{path.relative_to(REPO)}:{n}" for folder in FOLDERS for path in sorted((REPO / folder).rglob("*.py"))
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if len(line) > LIMIT]
    assert not long, f"{len(long)} lines over {LIMIT} characters: {long[:20]}"
