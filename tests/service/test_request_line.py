"""A query too long for the service reaches it over HTTP and gets the API's JSON 422, not the HTTP server's own
plain-text 400: a real ``ancols serve`` (uvicorn, h11) on loopback, as a browser or curl sends the request."""

import json
import socket
import time
import unicodedata
import urllib.parse

import pytest
from live import Server

from ancols_nlp.service.settings import Settings

LIMIT = Settings().max_query_chars
PIECE = 4096
# A sentence of the corpus (002_6bf2bb461188af34.txt), its accents percent-encoded as a browser sends them.
SENTENCE = ("La société n'est pas particulièrement confrontée à un problème de vacance en dépit de loyers "
            "relativement élevés qui en limitent l'accessibilité sociale. ")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    service = Server(tmp_path_factory.mktemp("request-line-data"))
    yield service
    service.kill()


def search(server: Server, query: str) -> tuple[int, str, str]:
    """Status, content type and body of ``GET /search?q=query``, its request sent in pieces of a few kilobytes as
    a network delivers it: h11 refuses an event past its limit only when it has not come whole in one read, which
    on loopback a request of 20 KB may."""
    target = f"/search?{urllib.parse.urlencode({'q': query, 'mode': 'lexical'})}"
    request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=600) as sock:
        try:
            for start in range(0, len(request), PIECE):
                sock.sendall(request[start:start + PIECE])
                time.sleep(0.005)
        except (BrokenPipeError, ConnectionResetError):  # refused before the end: its answer is read below
            pass
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers["content-type"], body.decode()


@pytest.mark.parametrize("size", [20_000, 140_000])
def test_a_query_past_the_limit_gets_the_json_422_whatever_its_length(server, size):
    """20 KB and 140 KB of query were past h11's 16 KiB: uvicorn answered 400 "Invalid HTTP request received."."""
    query = (SENTENCE * (size // len(SENTENCE) + 1))[:size]
    status, content_type, body = search(server, query)
    assert (status, content_type) == (422, "application/json"), (status, body[:200])
    error = json.loads(body)["error"]
    assert error["code"] == "bad_query" and error["detail"] == {"max_chars": LIMIT}


def test_an_accented_query_of_the_longest_length_is_answered(server):
    """Its accents decomposed, as pasted from a PDF or typed on a Mac: 3 bytes each in UTF-8, 9 in the request
    line; the service composes them before it counts the characters."""
    query = (SENTENCE * (LIMIT // len(SENTENCE) + 1))[:LIMIT - 1] + "é"
    status, content_type, body = search(server, unicodedata.normalize("NFD", query))
    assert (status, content_type) == (200, "application/json"), (status, body[:200])
    assert json.loads(body)["query"] == query and len(query) == LIMIT
