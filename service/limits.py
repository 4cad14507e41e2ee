"""A limit on request bodies, enforced before the app reads them.

- A ``multipart/form-data`` body (file uploads) may be as large as the upload limit times the
  most files a job takes; each file is then checked against the upload limit by its endpoint.
- Any other body (JSON) may be at most ``ANCOLS_MAX_BODY_KB``.

A declared ``Content-Length`` over the limit is refused at once. A body sent without one
(chunked) is counted as it arrives; past the limit the app's reading stops and the answer is a
413, in the one error shape.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ancols_nlp.service.errors import error_response

MULTIPART_SLACK = 1 << 20


class _TooLarge(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    def limit_for(self, scope: Scope) -> int:
        for name, value in scope.get("headers", ()):
            if name == b"content-type" and value.lower().startswith(b"multipart/form-data"):
                return self.max_upload_bytes + MULTIPART_SLACK
        return self.max_body_bytes

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        if limit >= 1024 * 1024:
            shown = f"{limit / (1024 * 1024):.0f} MB"
        else:
            shown = f"{limit / 1024:.0f} KB"
        response = error_response(413, "payload_too_large", f"The request body is larger than the {shown} limit.",
                                  {"limit_bytes": limit})
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await self._refuse(scope, receive, send, limit)
                    return
                break

        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _TooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:  # the app answered something else about the cut body (e.g. "cannot parse"): drop it
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded:  # only the cut body's own failure is ours to answer
                raise
        if exceeded and not started:
            await self._refuse(scope, receive, send, limit)
