"""``ancols``: ingest files or folders, search from the terminal, serve the HTTP API."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, get_args

from tqdm import tqdm

from ancols_nlp.index.interface import Added, StoreUnavailable
from ancols_nlp.index.query import Filters, Grain
from ancols_nlp.index.sqlite import CorruptStore
from ancols_nlp.pipelines.errors import DocumentError, UnreadableFile
from ancols_nlp.pipelines.types import KINDS, THEMES, DocType
from ancols_nlp.service.errors import NO_WORD, BadQuery
from ancols_nlp.service.file_names import display_name
from ancols_nlp.service.ownership import Ownership
from ancols_nlp.service.query_text import clean_query, past_limit, year_range
from ancols_nlp.service.settings import Settings, SettingsError, ValidationError, setting_error

if TYPE_CHECKING:  # spaCy and torch come with it: imported where a runtime is opened, never in the process that
    from ancols_nlp.service.runtime import Runtime  # only supervises `serve --workers N` (600 MB less)

SUFFIXES = {".pdf", ".docx", ".odt", ".html", ".htm", ".txt", ".md", ".markdown"}


def collect(paths: list[Path]) -> list[Path]:
    """Files to ingest: the given files, and the PDF, Word, OpenDocument, HTML and text files found under given
    folders; the other files of a folder are named on stderr (a legacy .doc report is not left out unseen), hidden
    ones (.DS_Store, .git) aside."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file()
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            found = [p for p in files if p.suffix.lower() in SUFFIXES]
            if not found:
                raise SystemExit(f"ancols: {path} holds no {', '.join(sorted(SUFFIXES))} file")
            if others := [p for p in files if p.suffix.lower() not in SUFFIXES]:
                named = ", ".join(str(p.relative_to(path)) for p in others[:5]) + (", …" if len(others) > 5 else "")
                print(f"ancols: {path}: {len(others)} file{'s' * (len(others) > 1)} left out, not of a type ancols "
                      f"reads ({named}); {', '.join(sorted(SUFFIXES))} are", file=sys.stderr)
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise SystemExit(f"ancols: {path} does not exist")
    return out


def ingest(runtime: Runtime, paths: list[Path], *, ray_address: str | None = None, use_ray: bool = False) -> int:
    """Ingest every file, reporting bad ones without stopping; returns the number of failures.

    ``use_ray`` runs the stages on Ray (``ancols_nlp.service.ray_ingest``): on the cluster at ``ray_address``,
    or on a local Ray when it is None."""
    failures = 0
    files = collect(paths)
    if use_ray:
        from ancols_nlp.service.ray_ingest import ingest as ray_ingest  # Ray is slow to import: only when asked

        outcomes = ray_ingest(runtime.store, runtime.settings, files, ray_address)
    else:
        outcomes = ((path, _ingest_one(runtime, path)) for path in files)
    with tqdm(total=len(files), unit="doc", desc="ingest", file=sys.stderr) as bar:
        for path, outcome in outcomes:
            bar.update()
            if isinstance(outcome, DocumentError):
                failures += 1
                tqdm.write(f"✗ {path}: {outcome} [{outcome.code}]", file=sys.stderr)
                continue
            state = "already stored" if outcome.duplicate else f"{outcome.segment_count} segments"
            tqdm.write(f"✓ {display_name(path.name)} → {outcome.id} ({state})", file=sys.stderr)  # as stored
            for warning in outcome.warnings:
                tqdm.write(f"  ! {warning.message} [{warning.code}]", file=sys.stderr)
    return failures


def _ingest_one(runtime: Runtime, path: Path) -> Added | DocumentError:
    try:
        data = path.read_bytes()
    except OSError as exc:  # no permission, I/O error, removed meanwhile: this file fails, the others go on
        return UnreadableFile(f"The file could not be read: {exc.strerror or exc}.")
    try:
        return runtime.ingest(data, path.name)
    except DocumentError as exc:
        return exc


def add_global_options(parser: argparse.ArgumentParser, *, default: object = None) -> None:
    """Options every command takes, before or after its name (``ancols --data-dir D serve`` = ``ancols serve
    --data-dir D``). Subcommands pass ``default=SUPPRESS`` so an option left out after the name keeps the value
    given before it; one given after the name wins, since argparse copies the subcommand's values last."""
    parser.add_argument("--data-dir", type=Path, default=default,
                        help="store directory (default: $ANCOLS_DATA_DIR or ./data)")


def main(argv: list[str] | None = None) -> int:
    """Ctrl-C ends any command with one line, not a traceback: the store is closed on the way out, and a document
    is stored whole or not at all (one transaction each), so what an interrupted ingest listed with ✓ is kept."""
    try:
        code = _run(argv)
        sys.stdout.flush()  # here, where a reader that left can still be answered
        return code
    except KeyboardInterrupt:
        print("ancols: interrupted (the files marked ✓ are stored, the others not)", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader left: `ancols search … | head -1`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the interpreter's own last flush
        return 1


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive whole number")
    return number


def add_filter_options(parser: argparse.ArgumentParser) -> None:
    """The filters ``GET /search`` takes, under its parameter names (``--doc_type`` or ``--doc-type``); those
    that take several values repeated (``--kind observation --kind recommendation``), as in a query string."""
    many = {"action": "append", "default": []}
    parser.add_argument("--kind", choices=KINDS, **many)
    parser.add_argument("--theme", choices=THEMES, **many)
    parser.add_argument("--organism", help="an organism a stored document names", **many)
    parser.add_argument("--doc_type", "--doc-type", choices=get_args(DocType), **many)
    parser.add_argument("--document_id", "--document-id", metavar="ID", **many)
    parser.add_argument("--year_min", "--year-min", type=int, metavar="YEAR")
    parser.add_argument("--year_max", "--year-max", type=int, metavar="YEAR")


def _run(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="ancols", description=__doc__)
    add_global_options(parser)
    after_command = argparse.ArgumentParser(add_help=False)
    add_global_options(after_command, default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True)
    add_command = partial(sub.add_parser, parents=[after_command])
    p_ingest = add_command("ingest", help="ingest PDF/.docx/.odt/.html/.txt/.md files or folders")
    p_ingest.add_argument("paths", nargs="+", type=Path)
    p_ingest.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                          help="run the stages on the Ray cluster at ADDRESS, or on a local Ray without one "
                               "(after the paths: `ancols ingest DIR --ray`)")
    p_search = add_command("search", help="search the stored passages")
    p_search.add_argument("query")
    p_search.add_argument("-k", type=positive, default=10)
    p_search.add_argument("--mode", choices=["lexical", "semantic", "hybrid"])
    p_search.add_argument("--grain", choices=["sentence", "passage"],
                          help="a result is a passage or one of its sentences (default: ANCOLS_SEARCH_GRAIN)")
    p_search.add_argument("--json", action="store_true", help="print JSON lines")
    add_filter_options(p_search)
    p_serve = add_command("serve", help="run the HTTP API")
    p_serve.add_argument("--host", default="127.0.0.1")
    p_serve.add_argument("--port", type=int, default=8000)
    p_serve.add_argument("--ingest", type=Path, nargs="*", default=[], help="ingest these files/folders first")
    p_serve.add_argument("--workers", type=positive, default=None,
                         help="serving processes on the port (default: $ANCOLS_WORKERS or 1); each uses up to "
                              "one core and holds its own snapshot and models, one owns the job worker")
    add_command("reindex", help="recompute vectors and indexes from the stored documents")
    args = parser.parse_args(argv)

    overrides = {"data_dir": args.data_dir} if args.data_dir else {}
    if getattr(args, "workers", None):
        overrides["workers"] = args.workers
    try:
        settings = Settings(**overrides)
    except (ValidationError, SettingsError) as exc:
        print(f"ancols: {setting_error(exc)}", file=sys.stderr)
        return 2
    if args.command == "search":
        try:  # the API's limits and messages (service/query_text.py), before the store and models are loaded
            args.query = clean_query(args.query, settings.max_query_chars)
        except BadQuery as exc:
            parser.error(exc.message)
        if message := past_limit(args.k, settings.max_results):
            parser.error(f"argument -k: {message}")
        try:
            args.filters = search_filters(args)
        except BadQuery as exc:
            parser.error(exc.message)
    if args.command in ("search", "reindex") and settings.store == "embedded" and not settings.data_dir.exists():
        print(f"ancols: no store at {settings.data_dir} (ingest documents there first, or check --data-dir)",
              file=sys.stderr)
        return 2
    try:  # made here, where a failure is one line, not in the server's start-up or the store's opening
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"ancols: ANCOLS_DATA_DIR: {settings.data_dir} cannot be created ({exc.strerror or exc})",
              file=sys.stderr)
        return 2
    if args.command == "serve" and not args.ingest:
        if error := _unreachable(settings):
            print(f"ancols: {error}", file=sys.stderr)
            return 2
        return _serve(settings, args.host, args.port)
    from ancols_nlp.models.embedding import EmbedderUnavailable
    from ancols_nlp.service.runtime import Runtime

    # A server may be running on this data directory: then it owns the merges and the job worker, and this
    # process only adds rows (which the server takes in) or reads them.
    ownership = Ownership(settings.data_dir)
    runtime, error = None, ""
    with ownership.opening() as leading:
        if args.command == "reindex" and not leading:
            error = f"a server owns {settings.data_dir}; stop it before reindexing"
        else:
            try:
                runtime = Runtime.from_settings(settings, leading=leading)
            except (CorruptStore, EmbedderUnavailable, StoreUnavailable) as exc:
                error = str(exc)
    if runtime is None:
        ownership.close()
        print(f"ancols: {error}", file=sys.stderr)
        return 2
    try:
        if args.command == "ingest":
            return 1 if ingest(runtime, args.paths, ray_address=args.ray or None, use_ray=args.ray is not None) else 0
        if args.command == "search":
            return _search(runtime, args, settings.search_grain)
        if args.command == "reindex":
            print(f"re-embedded {runtime.store.reembed()} segments", file=sys.stderr)
            return 0
        ingest(runtime, args.ingest)  # serve --ingest, before serving
    finally:
        runtime.close()
        ownership.close()  # after the store, so no merge of this process overlaps the next owner's
    return _serve(settings, args.host, args.port)


def _unreachable(settings: Settings) -> str | None:
    """Why the PostgreSQL store cannot be reached, asked before the server starts: its start-up would print the
    failure as a traceback."""
    if settings.store != "postgres":
        return None
    from ancols_nlp.index.postgres.servers import connect

    try:
        connect(settings.pg_dsn.get_secret_value()).close()
    except StoreUnavailable as exc:
        return str(exc)
    return None


def _serve(settings: Settings, host: str, port: int) -> int:
    """The HTTP API; each serving process opens the store itself (service/app.py, service/ownership.py)."""
    if settings.workers > 1:
        from ancols_nlp.service import workers

        return workers.serve(settings, host, port)
    import uvicorn

    from ancols_nlp.service.app import create_app

    # The app logs one structured line per request itself (service/observability.py).
    uvicorn.run(create_app(settings), host=host, port=port, access_log=False,
                h11_max_incomplete_event_size=settings.max_request_head_bytes)
    return 0


def search_filters(args: argparse.Namespace) -> Filters:
    """The filters given, checked as ``GET /search`` checks them (``year_range``) before the store is opened;
    the organisms and document ids are checked against the store, by ``_search``."""
    year_min, year_max = year_range(args.year_min, args.year_max)
    return Filters(kind=tuple(args.kind), theme=tuple(args.theme), document_id=tuple(args.document_id),
                   organism=tuple(args.organism), doc_type=tuple(args.doc_type), year_min=year_min,
                   year_max=year_max)


def _search(runtime: Runtime, args: argparse.Namespace, default_grain: Grain) -> int:
    """The passages as ``GET /search`` gives them (segment ids, links, organism, highlights), one a line with
    ``--json``; its corrections (a misspelt word also searched as the spelling the passages hold) on stderr."""
    from fastapi.exceptions import RequestValidationError

    from ancols_nlp.index.grain import search
    from ancols_nlp.service.routers.common import stored_filters
    from ancols_nlp.service.views import corrections, page_label, search_results

    try:  # an organism no stored document names, a document id not stored: refused as the API refuses them
        filters = stored_filters(runtime, args.filters, ())
    except RequestValidationError as exc:
        for error in exc.errors():
            print(f"ancols: argument --{error['loc'][-1]}: {error['msg']}", file=sys.stderr)
        return 2
    params = replace(runtime.store.params, mode=args.mode) if args.mode else runtime.store.params
    outcome, shown = search(runtime.store, args.query, k=args.k, filters=filters, params=params,
                            grain=args.grain or default_grain)
    if not outcome.expansion.searchable:
        print(f"ancols: the {NO_WORD}", file=sys.stderr)
        return 2
    results = search_results(runtime.store, outcome, shown)
    if not results and not runtime.store.stats().documents:  # else the empty output looked like a failed search
        settings = runtime.settings
        where = settings.data_dir if settings.store == "embedded" else "ANCOLS_PG_DSN"
        print(f"ancols: the store at {where} holds no document (ingest some first)", file=sys.stderr)
    for typed, meant in corrections(outcome, results):
        print(f"ancols: also searched {meant!r} for {typed!r} (no stored passage holds it)", file=sys.stderr)
    for rank, result in enumerate(results, 1):
        if args.json:
            print(json.dumps({"rank": rank, **result.model_dump(mode="json")}, ensure_ascii=False))
        else:
            where = " › ".join(result.section_path[-2:])
            print(f"{rank:>2}. [{result.kind}] {result.score:.3f}  {result.id}  "
                  f"{page_label(result.page, result.page_end) or 'p. -'}  {where}")
            print(f"    {' '.join(result.text.split())[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
