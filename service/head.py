"""HEAD as HTTP defines it: the GET answer without its body.

FastAPI routes answer only the methods they declare, so ``curl -I``, uptime checkers and load balancers that
send HEAD got 405 from every GET route. The request is routed as a GET; what is sent back keeps the GET's status
and headers (``Content-Length`` included) and drops the body.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.start":
                scope["method"] = "HEAD"  # routed by now: logs and metrics name the method that was sent
            elif message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        scope["method"] = "GET"  # in place: the route the router matches is written into this same scope
        await self.app(scope, receive, without_body)
