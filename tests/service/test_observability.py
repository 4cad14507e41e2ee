"""Request ids, one structured log line per request, Prometheus metrics, the body limit."""

import json
import logging
import re

import pytest
from fastapi.testclient import TestClient

from ancols_nlp.service.app import create_app
from ancols_nlp.service.observability import JsonFormatter


def test_request_id_is_echoed_or_generated(client):
    given = client.get("/health", headers={"X-Request-ID": "lead-check.42"})
    assert given.headers["x-request-id"] == "lead-check.42"
    fresh = client.get("/health")
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["x-request-id"])
    assert client.get("/health").headers["x-request-id"] != fresh.headers["x-request-id"]
    for unsafe in ("x" * 200, "bad id\twith tab", "é"):
        response = client.get("/health", headers={"X-Request-ID": unsafe.encode("utf-8")})
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    # Errors carry it too, in the one error shape.
    missing = client.get("/documents/nope", headers={"X-Request-ID": "abc"})
    assert missing.headers["x-request-id"] == "abc" and missing.json()["error"]["code"] == "not_found"


def test_one_json_log_line_per_request(client, caplog):
    with caplog.at_level(logging.INFO, logger="ancols.access"):
        client.get("/documents/unknown-doc", headers={"X-Request-ID": "req-1"})
    [record] = [r for r in caplog.records if r.name == "ancols.access"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-1" and line["level"] == "info" and line["logger"] == "ancols.access"
    assert {k: line[k] for k in ("method", "path", "route", "status")} == {
        "method": "GET", "path": "/documents/unknown-doc", "route": "/documents/{doc_id}", "status": 404}
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["ts"].endswith("Z")


def count(text: str, series: str) -> int:
    match = re.search(re.escape(series) + r" (\d+)$", text, re.M)
    return int(match.group(1)) if match else 0


def test_metrics_in_prometheus_text_format(client, corpus_dir):
    not_found = 'ancols_http_requests_total{method="GET",route="/documents/{doc_id}",status="404"}'
    hits = "ancols_search_cache_hits_total"
    first = client.get("/metrics").text
    before, hits_before = count(first, not_found), count(first, hits)
    data = (corpus_dir / "000_ad04bc466fc4cae0.txt").read_bytes()
    assert client.post("/documents", files={"file": ("reply.txt", data, "text/plain")}).status_code == 201
    client.get("/documents/nope")
    client.get("/documents/nope")
    client.get("/no/such/route")
    client.get("/search", params={"q": "impayés"})
    client.get("/search", params={"q": "impayés"})  # the same store version: answered from the cache
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    assert count(text, not_found) == before + 2
    assert 'ancols_http_requests_total{method="POST",route="/documents",status="201"} 1' in text
    assert 'route="<unmatched>",status="404"' in text  # unknown paths never make new series
    assert "/no/such/route" not in text
    assert "# TYPE ancols_http_request_duration_seconds histogram" in text
    buckets = re.findall(
        r'ancols_http_request_duration_seconds_bucket\{method="GET",route="/search",le="([^"]+)"\} (\d+)', text)
    assert buckets[-1] == ("+Inf", "2") and [int(n) for _, n in buckets] == sorted(int(n) for _, n in buckets)
    assert re.search(r'ancols_http_request_duration_seconds_count\{method="GET",route="/search"\} 2', text)
    if client.get("/health").json()["vector_index"] != "pgvector-hnsw":  # PostgreSQL answers are never cached
        assert count(text, hits) == hits_before + 1
        assert "# TYPE ancols_search_cache_hits_total counter" in text  # it only grows
        assert "# TYPE ancols_search_cache_entries gauge" in text
    documents = int(re.search(r"^ancols_documents (\d+)$", text, re.M).group(1))
    segments = int(re.search(r"^ancols_segments (\d+)$", text, re.M).group(1))
    health = client.get("/health").json()
    assert documents == health["documents"] >= 1 and segments == health["segments"] > 50
    assert 'ancols_jobs{status="done"}' in text
    for line in text.splitlines():  # every sample line parses: name{labels} value
        labels = r'\{[a-z_]+="(?:[^"\\]|\\.)*"(?:,[a-z_]+="(?:[^"\\]|\\.)*")*\}'
        assert line.startswith("#") or re.fullmatch(rf"[a-z_]+(?:{labels})? -?[0-9.e+]+", line), line


def test_json_bodies_over_the_limit_are_refused_with_413(client):
    big = b'{"text": "' + b"a" * (1024 * 1024 + 10) + b'"}'
    response = client.post("/classify", content=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert response.headers["x-request-id"]

    def chunked():  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"a" * 65536

    response = client.post("/classify", content=chunked(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"
    small = client.post("/classify", json={"text": "La société doit réduire sa vacance."})
    assert small.status_code == 200


def test_an_unexpected_error_is_a_500_in_the_one_shape_with_its_request_id(runtime, tmp_path, caplog):
    from dataclasses import replace
    app = create_app(runtime=replace(runtime, settings=runtime.settings.model_copy(update={"data_dir": tmp_path})))

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    with TestClient(app, raise_server_exceptions=False) as c, caplog.at_level(logging.INFO, logger="ancols"):
        response = c.get("/boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error" and "kaboom" not in response.text
    assert response.headers["x-request-id"] == "boom-1"
    access = [r for r in caplog.records if r.name == "ancols.access"]
    assert access and access[-1].fields["status"] == 500 and access[-1].fields["route"] == "/boom"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and all(getattr(r, "request_id", None) == "boom-1" for r in errors)


def test_web_page_and_static_files(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'lang="fr"' in page.text and "/static/app.js" in page.text
    for name, kind in (("app.js", "javascript"), ("app.css", "text/css")):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and kind in response.headers["content-type"]
    assert client.get("/static/../service/app.py").status_code == 404
    assert "/" not in client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize("path", ["/health", "/", "/documents", "/search?q=vacance", "/static/app.js"])
def test_head_answers_as_get_without_a_body(client, path):
    """``curl -I``, uptime checkers and some load balancers send HEAD: every API route and the page answered 405
    (FastAPI routes take only the methods they declare), though HTTP makes HEAD a GET without the body."""
    got, head = client.get(path), client.head(path)
    assert head.status_code == got.status_code == 200, (head.status_code, head.text)
    assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == got.headers["content-length"]
    assert client.head("/classify").status_code == 405  # a POST-only route stays so
    route = "/static/{path}" if path.startswith("/static/") else path.split("?")[0]  # logged as a HEAD
    assert f'ancols_http_requests_total{{method="HEAD",route="{route}",status="200"}}' in client.get("/metrics").text


@pytest.mark.parametrize("origin, allowed", [("http://localhost:5173", True), ("http://evil.example", False)])
def test_cors_exposes_the_request_id(runtime, tmp_path, origin, allowed):
    from dataclasses import replace
    settings = runtime.settings.model_copy(update={"data_dir": tmp_path, "cors_origins": ["http://localhost:5173"]})
    with TestClient(create_app(runtime=replace(runtime, settings=settings))) as c:
        response = c.get("/health", headers={"Origin": origin})
    assert (response.headers.get("access-control-allow-origin") == origin) is allowed
    if allowed:
        assert "x-request-id" in response.headers["access-control-expose-headers"].lower()
