import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.runtime import Runtime
from service.settings import Settings


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    rt = Runtime.from_settings(Settings(data_dir=tmp_path_factory.mktemp("data"), max_upload_mb=2))
    yield rt
    rt.close()


@pytest.fixture(scope="module")
def client(runtime):
    with TestClient(create_app(runtime=runtime)) as c:
        yield c
