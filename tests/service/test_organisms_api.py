"""GET /organisms: the chat's organism menu follows uploads and deletions, a 304 while the store is unchanged."""

from fastapi.testclient import TestClient

from ancols_nlp.service.app import create_app

TOIT = "004_964ee9d999fa8f65.txt"
OTHER = "001_d290a1a4feb3bef7.txt"


def upload(client, corpus_dir, name):
    sent = client.post("/documents", files={"file": (name, (corpus_dir / name).read_bytes(), "text/plain")})
    assert sent.status_code == 201, sent.text
    return sent.json()["id"]


def organism_of(client, doc_id):
    return client.get(f"/documents/{doc_id}").json()["meta"]["organism"]


def test_the_organisms_follow_uploads_and_deletions(runtime, corpus_dir):
    with TestClient(create_app(runtime=runtime)) as client:
        toit = upload(client, corpus_dir, TOIT)
        first = client.get("/organisms")
        assert first.json()["organisms"] == [organism_of(client, toit)] == ["Le Toit Forézien"]
        tag = first.headers.get("etag")
        if runtime.settings.store == "embedded":  # its version names the snapshot: unchanged, a 304
            unchanged = client.get("/organisms", headers={"If-None-Match": tag})
            assert unchanged.status_code == 304 and unchanged.headers["etag"] == tag
        else:  # other processes write to PostgreSQL: no version, every answer in full
            assert tag is None
        other = upload(client, corpus_dir, OTHER)
        added = client.get("/organisms", headers={"If-None-Match": tag} if tag else {})
        assert added.status_code == 200
        assert added.json()["organisms"] == sorted({"Le Toit Forézien", organism_of(client, other)})
        assert len(added.json()["organisms"]) == 2
        assert client.delete(f"/documents/{toit}").status_code == 204
        assert client.get("/organisms").json()["organisms"] == [organism_of(client, other)]
