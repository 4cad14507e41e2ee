"""The organisms of the stored documents: the chat's organism menu, asked again each time the page shows it.

The answer carries an ``ETag`` made of the store's version (the number the search cache keys on), so asking
again costs a 304 until a write (an upload, a deletion) makes a newer version. A store that cannot tell its
version (PostgreSQL: other processes write) answers in full every time.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from ancols_nlp.service.deps import RuntimeDep
from ancols_nlp.service.organisms import stored
from ancols_nlp.service.routers.common import known_parameters
from ancols_nlp.service.schemas import OrganismList

router = APIRouter(tags=["documents"], dependencies=[Depends(known_parameters)])

PROCESS = uuid.uuid4().hex[:12]  # each serving process counts its versions from 1: the tag names the process too


@router.get("/organisms", response_model=OrganismList, responses={304: {"description": "Unchanged since the ETag"}})
async def organisms(runtime: RuntimeDep, request: Request, response: Response) -> OrganismList | Response:
    """Every organism named by a stored document, once however the documents spell it (service/organisms.py), sorted;
    ``aliases``: an organism's other stored spellings."""
    version = runtime.store.version  # read before the organisms: a write in between only makes the tag older
    headers = {"Cache-Control": "no-cache"} | ({"ETag": f'"{PROCESS}-{version}"'} if version is not None else {})
    if "ETag" in headers and matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    known = await run_in_threadpool(stored, runtime.store)
    return OrganismList(organisms=[o.name for o in known],
                        aliases={o.name: list(o.spellings[1:]) for o in known if len(o.spellings) > 1})


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether ``If-None-Match`` names ``tag``: "*", or a list of tags compared weakly (RFC 9110 13.1.2), since a
    proxy compressing the answer (nginx's gzip) makes the tag weak (W/"…") and the browser sends that back."""
    if not if_none_match:
        return False
    sent = [t.strip() for t in if_none_match.split(",")]
    return "*" in sent or tag in (t.removeprefix("W/") for t in sent)
