"""Dependencies shared by the routers, as ``Annotated`` aliases.

They are ``async``: FastAPI runs a plain ``def`` dependency in its thread pool, one hand-over to a worker
thread and back per dependency and request, for what is an attribute read.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Request

from ancols_nlp.service.errors import Unauthorized
from ancols_nlp.service.runtime import Runtime
from ancols_nlp.service.settings import Settings


async def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.runtime.settings


async def require_write_access(settings: Annotated[Settings, Depends(get_settings_dep)],
                         x_api_key: Annotated[str | None, Header()] = None) -> None:
    """When an API key is configured, writes must present it (compared in constant time)."""
    if settings.api_key is None:
        return
    expected = settings.api_key.get_secret_value().encode()
    if x_api_key is None or not hmac.compare_digest(x_api_key.encode(), expected):
        raise Unauthorized("A valid X-API-Key header is required for this operation.")


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
WriteAccess = Depends(require_write_access)
