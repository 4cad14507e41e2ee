"""Schemathesis against the OpenAPI schema: generated requests, including malformed ones, never get a 5xx."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from ancols_nlp.service.app import create_app

EXAMPLES = 25


@pytest.fixture(scope="module")
def operations(runtime, corpus_dir):
    path = corpus_dir / "000_ad04bc466fc4cae0.txt"
    runtime.ingest(path.read_bytes(), path.name)  # something to find, list and delete
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(runtime=runtime))
    return {op.label: op for op in (result.ok() for result in schema.get_all_operations())}


def test_every_operation_is_fuzzed(operations):
    assert {"POST /documents", "GET /search", "POST /classify", "POST /chat",
            "GET /segments/{segment_id}"} <= set(operations)


@pytest.mark.parametrize("label", [
    "POST /documents", "GET /documents", "GET /documents/{doc_id}", "GET /documents/{doc_id}/text",
    "GET /documents/{doc_id}/segments", "DELETE /documents/{doc_id}", "GET /segments/{segment_id}",
    "GET /search", "POST /classify", "POST /chat", "POST /jobs", "GET /jobs", "GET /jobs/{job_id}",
])
def test_no_server_error(operations, label):
    @given(case=operations[label].as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        case.call_and_validate(checks=[not_a_server_error])

    check()
