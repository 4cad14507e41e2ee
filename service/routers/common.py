"""Request checks shared by the routers (and the chat) that take free text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import get_origin

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from ancols_nlp.index.query import Filters
from ancols_nlp.index.query_intents import named_organisms
from ancols_nlp.pipelines.organism_names import spellings
from ancols_nlp.service.errors import EMPTY, NotMultipart
from ancols_nlp.service.organisms import stored
from ancols_nlp.service.query_text import past_limit
from ancols_nlp.service.runtime import Runtime


def known_parameters(request: Request) -> None:
    """Refuses a query parameter the route does not take, one that takes a single value given several times, and
    one given empty. FastAPI ignores the first and keeps the last of the second, so a misspelt filter ("organisme",
    "type" for kind), paging a route lacks ("offset" on /search) or ``q=vacance&q=loyers`` answered as if what was
    dropped had not been asked; and ``organism=`` filtered on an organism named "", which no passage has (200, no
    results), where ``kind=`` was refused for not being a kind."""
    def once(values: list[str]) -> str:
        return f"Given {len(values)} times ({', '.join(values)}); this parameter takes one value."

    params = request.query_params
    _refuse_unknown_or_repeated(request.scope["route"].dependant.query_params, "query", "parameter",
                                {name: params.getlist(name) for name in params}, once)


async def known_fields(request: Request) -> None:
    """Refuses an upload not sent as a multipart form (the file as the body, or as a form's text: FastAPI said
    "Field required" on ``body.file``), a form field an upload route does not take, and a second file where it
    takes one: FastAPI ignores the first and keeps the last of the second, so ``-F title=…`` was dropped and ``curl
    -F file=@a -F file=@b /documents`` stored b alone (201)."""
    def once(values: list) -> str:
        return (f"Given {len(values)} times; this route takes one file: POST several to /jobs (field files, "
                f"repeated).")

    declared = request.scope["route"].dependant.body_params  # the file field: "file", or "files" for a job
    sent = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if sent and sent != "multipart/form-data":  # nothing sent at all: "Field required" says it
        field = declared[0].alias
        raise NotMultipart(f"Send the file as a multipart/form-data upload in the field {field!r} (curl -F "
                           f"{field}=@rapport.pdf), not as {sent}.")
    form = await request.form()  # already read by FastAPI for the route's own fields: this is the same parse
    _refuse_unknown_or_repeated(declared, "body", "field", {name: form.getlist(name) for name in form}, once)


def _refuse_unknown_or_repeated(declared: list, where: str, noun: str, given: dict[str, list],
                                once: Callable[[list], str]) -> None:
    """Refuses each of the ``given`` names (query parameters or form fields: ``where``) the route has not
    ``declared``, each given empty, and each given more than once where the route takes one value (``once`` says
    it)."""
    fields = {p.alias: p for p in declared}  # no dependency of theirs takes one
    takes = f"this route takes {', '.join(sorted(fields))}" if fields else "this route takes none"
    errors = []
    for name, values in given.items():
        if name not in fields:
            errors.append({"loc": (where, name), "msg": f"Unknown {noun}; {takes}."})
        elif "" in values:
            errors.append({"loc": (where, name), "msg": f"{EMPTY}: give it a value, or leave it out."})
        elif len(values) > 1 and get_origin(fields[name].field_info.annotation) is not list:
            errors.append({"loc": (where, name), "msg": once(values)})
    if errors:
        raise RequestValidationError(errors)


def stored_filters(runtime: Runtime, filters: Filters, where: tuple[str, ...]) -> Filters:
    """``filters`` with each organism given as every stored spelling of the organisms it names (service/organisms.py:
    "Coop'Ivry Habitat" names the letter OCR read as "Coop'lvry Habitat" too), read as a query names an organism
    (``named_organisms``: "lozere habitations" was refused while a query so naming Lozère Habitations was read as
    naming it); refuses an organism no stored document names and a document id not stored: such a filter matched no
    passage and the answer (200, nothing found) said the reports held nothing on the subject, as an unknown kind
    once did. ``where`` is the filters' place in the request, for the error."""
    errors = []
    organisms = filters.organism
    if filters.organism:
        known = stored(runtime.store)
        names = sorted(s for o in known for s in o.spellings)
        named = {name: named_organisms(name, names) for name in filters.organism}
        listed = ", ".join(o.name for o in known[:20]) + (", …" if len(known) > 20 else "")
        errors += [{"loc": (*where, "organism"), "msg": f"No stored document names the organism {name!r}; GET "
                                                       f"/organisms lists them: {listed or 'none yet'}."}
                   for name, found in named.items() if not found]
        organisms = spellings(known, (o for found in named.values() for o in found))
    if filters.document_id:
        heads = runtime.store.meta.document_heads(list(filters.document_id))
        errors += [{"loc": (*where, "document_id"), "msg": f"No document {doc_id!r}; GET /documents lists them."}
                   for doc_id in filters.document_id if doc_id not in heads]
    if errors:
        raise RequestValidationError(errors)
    return replace(filters, organism=organisms)


def at_most(value: int, limit: int, loc: tuple[str, ...], setting: str = "ANCOLS_MAX_RESULTS") -> None:
    """Refuses ``value`` past a limit set at run time (``past_limit``), as FastAPI refuses a value past a bound its
    route declares."""
    if message := past_limit(value, limit, setting):
        raise RequestValidationError([{"loc": loc, "msg": message}])

