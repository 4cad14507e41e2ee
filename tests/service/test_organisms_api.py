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


def test_an_unchanged_store_answers_304_to_the_tag_however_the_client_sends_it(runtime, corpus_dir):
    """If-None-Match takes a list of tags, compared weakly, or "*" (RFC 9110 13.1.2): a proxy that compresses the
    answer (nginx's gzip) makes the tag weak, W/"…", and the browser sends that back; only the bare tag got a 304."""
    if runtime.settings.store != "embedded":  # PostgreSQL: no version, no tag (test above)
        return
    with TestClient(create_app(runtime=runtime)) as client:
        upload(client, corpus_dir, TOIT)
        tag = client.get("/organisms").headers["etag"]
        for sent in (f"W/{tag}", f'"other", {tag}', "*"):
            assert client.get("/organisms", headers={"If-None-Match": sent}).status_code == 304, sent
        for sent in ('"other"', f'W/"{tag}"', tag[:-2] + '"'):
            assert client.get("/organisms", headers={"If-None-Match": sent}).status_code == 200, sent
