"""Request ids, one structured log line per request, and Prometheus metrics.

- Every request gets an id: the client's ``X-Request-ID`` when it is sane (1–128 characters
  of ``[A-Za-z0-9._:-]``), else a fresh one. It is echoed in the ``X-Request-ID`` response
  header and attached to every log record written while the request is handled.
- One JSON line per request on the ``ancols.access`` logger: method, path, route (the
  template, e.g. ``/documents/{doc_id}``), status, duration_ms, request_id, client.
- ``GET /metrics`` (text format 0.0.4): request counts by method, route template and status, a
  latency histogram per method and route, and gauges read from the store and the job queue.

Both middlewares here are plain ASGI (no BaseHTTPMiddleware), so streamed responses (SSE)
pass through untouched and are timed to their last byte.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ancols_nlp.service.errors import error_response

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("ancols_request_id", default=None)
access_log = logging.getLogger("ancols.access")

REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
UNMATCHED = "<unmatched>"


# -- logging ----------------------------------------------------------------------------------
class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, request_id, the record's ``fields`` and any exception."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            out["request_id"] = request_id
        out.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = getattr(record, "fields", None)
        return f"{line} {json.dumps(fields, ensure_ascii=False, default=str)}" if fields else line


_HANDLER_NAME = "ancols-structured"


def _install_record_factory() -> None:
    """Every log record created while a request is handled carries its id (``record.request_id``)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "ancols_request_id", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        return record

    factory.ancols_request_id = True
    logging.setLogRecordFactory(factory)


def setup_logging(log_format: str = "json", level: str = "INFO") -> None:
    """Send the ``ancols.*`` loggers to stderr in the chosen format (idempotent)."""
    _install_record_factory()
    logger = logging.getLogger("ancols")
    logger.setLevel(level.upper())
    handler = next((h for h in logger.handlers if h.get_name() == _HANDLER_NAME), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.addFilter(RequestIdFilter())
        logger.addHandler(handler)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())


# -- metrics ----------------------------------------------------------------------------------
def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**labels: object) -> str:
    return "{" + ",".join(f'{k}="{_escape(str(v))}"' for k, v in labels.items()) + "}"


def _num(value: float) -> str:
    return repr(float(value)) if value != int(value) else str(int(value))


class Metrics:
    """Request counters and latency histograms, kept in memory (per process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str, str], int] = {}
        self._hist: dict[tuple[str, str], list[float]] = {}  # bucket counts…, +Inf count, sum
        self.gauges: list[Callable[[], list[tuple[str, str, dict[str, str], float]]]] = []

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            key = (method, route, str(status))
            self._counts[key] = self._counts.get(key, 0) + 1
            hist = self._hist.setdefault((method, route), [0.0] * (len(BUCKETS) + 2))
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    hist[i] += 1
            hist[len(BUCKETS)] += 1
            hist[len(BUCKETS) + 1] += seconds

    def render(self) -> str:
        lines = ["# HELP ancols_http_requests_total HTTP requests by method, route template and status.",
                 "# TYPE ancols_http_requests_total counter"]
        with self._lock:
            counts = sorted(self._counts.items())
            hists = sorted((k, list(v)) for k, v in self._hist.items())
        for (method, route, status), n in counts:
            lines.append(f"ancols_http_requests_total{_labels(method=method, route=route, status=status)} {n}")
        lines += ["# HELP ancols_http_request_duration_seconds Time to the last byte of the response.",
                  "# TYPE ancols_http_request_duration_seconds histogram"]
        for (method, route), hist in hists:
            for i, bound in enumerate(BUCKETS):
                lines.append("ancols_http_request_duration_seconds_bucket"
                             f"{_labels(method=method, route=route, le=_num(bound))} {int(hist[i])}")
            count, total = int(hist[len(BUCKETS)]), hist[len(BUCKETS) + 1]
            inf = _labels(method=method, route=route, le="+Inf")
            lines.append(f"ancols_http_request_duration_seconds_bucket{inf} {count}")
            lines.append(f"ancols_http_request_duration_seconds_sum{_labels(method=method, route=route)} {total:.6f}")
            lines.append(f"ancols_http_request_duration_seconds_count{_labels(method=method, route=route)} {count}")
        seen: set[str] = set()
        for gauge in self.gauges:
            try:
                samples = gauge()
            except Exception:  # a metric must never break the scrape
                logging.getLogger("ancols.metrics").exception("gauge failed")
                continue
            for name, help_text, labels, value in samples:
                if name not in seen:
                    seen.add(name)
                    kind = "counter" if name.endswith("_total") else "gauge"  # Prometheus: a *_total only grows
                    lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
                lines.append(f"{name}{_labels(**labels) if labels else ''} {_num(value)}")
        return "\n".join(lines) + "\n"


# -- middleware -------------------------------------------------------------------------------
def route_template(scope: Scope) -> str:
    """The matched route's template (``/documents/{doc_id}``), ``<mount>/{path}`` for a mounted app."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str) and path:
        return path
    if scope.get("endpoint") is not None and scope.get("root_path"):  # inside a Mount (e.g. /static)
        return f"{scope['root_path']}/{{path}}"
    return UNMATCHED


def incoming_request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1").strip()
            if REQUEST_ID.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


class ObservabilityMiddleware:
    """Request id in and out, one access log line and one metrics observation per HTTP request."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = incoming_request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False
        logged = False

        def finish() -> None:
            nonlocal logged
            if logged:
                return
            logged = True
            seconds = time.perf_counter() - started
            route = route_template(scope)
            method = scope.get("method", "")
            self.metrics.observe(method, route, status, seconds)
            client = scope.get("client")
            access_log.info("%s %s %d", method, scope.get("path", ""), status, extra={
                "fields": {"method": method, "path": scope.get("path", ""), "route": route, "status": status,
                           "duration_ms": round(seconds * 1000, 2), "client": client[0] if client else None}})

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", request_id.encode("latin-1"))]}
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                finish()

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            status = 500
            if not response_started:
                # Answer in the one error shape with the request id; the app's own handler logs the error
                # (after this re-raise, so the id stays set for that log record: the request's task ends anyway).
                response = error_response(500, "internal_error", "An unexpected error occurred; it has been logged.")
                response.headers["x-request-id"] = request_id
                await response(scope, receive, send)
            finish()
            raise
        finish()
        request_id_var.reset(token)
