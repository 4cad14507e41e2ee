import pytest
from fastapi.testclient import TestClient
from pg import new_database

from ancols_nlp.service.app import create_app
from ancols_nlp.service.runtime import Runtime
from ancols_nlp.service.settings import Settings


@pytest.fixture(scope="module", params=["embedded", "postgres"])
def runtime(request, tmp_path_factory):
    """The service on each store backend: every API test runs against both."""
    backend = {"store": request.param}
    if request.param == "postgres":
        backend["pg_dsn"] = new_database(request.getfixturevalue("postgres"))
    rt = Runtime.from_settings(Settings(data_dir=tmp_path_factory.mktemp("data"), max_upload_mb=2, **backend))
    yield rt
    rt.close()


@pytest.fixture(scope="module")
def client(runtime):
    with TestClient(create_app(runtime=runtime)) as c:
        yield c
