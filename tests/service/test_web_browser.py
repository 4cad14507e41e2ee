"""The web page in a real browser: Debian's headless Chromium, driven by Selenium, against the real service.

The service runs as ``ancols serve`` (uvicorn) in a subprocess over a temporary data
directory. The test uploads a report and a broken file through the page, waits for the job,
searches (and finds the search again in the address: reload, back/forward, a shared link), opens a
document and a rebuttal's link, and chats. Screenshots go under the test's tmp_path (paths printed).

Chromium missing is a failure, not a skip: CI installs it (.ci/run).
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import get_args
from urllib.parse import parse_qs, urlencode

import pytest

from ancols_nlp.pipelines.types import Theme

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
TOIT = "004_964ee9d999fa8f65.txt"
REPO = Path(__file__).resolve().parents[2]
QUERY = "vacance commerciale élevée"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("web-data")
    log_path = data / "server.log"
    port = free_port()
    env = {**os.environ, "ANCOLS_LOG_FORMAT": "text"}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "ancols_nlp.service.cli", "--data-dir", str(data), "serve",
                                 "--host", "127.0.0.1", "--port", str(port)],
                                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while True:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the service did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
        time.sleep(0.5)
    yield base
    proc.terminate()
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            pytest.fail(f"{path} is missing: install Debian's chromium and chromium-driver (see .ci/run)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("selenium is missing: pip install -e '.[test]'")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1400,1000", "--lang=fr-FR"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def texts(driver, selector: str) -> list[str]:
    """The text of every element matching ``selector``, read at once (no stale elements)."""
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent.trim());", selector)


def screenshot(driver, tmp_path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    assert driver.save_screenshot(str(path)), f"no screenshot at {path}"
    print(f"screenshot: {path}")
    return path


def test_the_page_end_to_end(server, browser, corpus_dir, tmp_path):
    try:
        walk_through(server, browser, corpus_dir, tmp_path)
    except Exception:
        screenshot(browser, tmp_path, "ancols-ui-failure")
        print(texts(browser, "body")[0][:3000])
        raise


def result_ids(driver) -> list[str]:
    return driver.execute_script("return [...document.querySelectorAll('#results .result')].map(e => e.dataset.id);")


def search_in_the_address(driver, server, wait, tmp_path, unfiltered: list[str]):
    """The search on screen is in the URL: a reload shows it again, back/forward walk the searches, a link opens one."""
    from selenium.webdriver.common.by import By

    def shown(d) -> dict:
        return {"q": d.find_element(By.ID, "q").get_attribute("value"),
                **{name: d.find_element(By.ID, f"f-{name}").get_attribute("value") for name in ("kind", "theme")}}

    assert parse_qs(driver.execute_script("return location.search;")[1:]) == {
        "q": [QUERY], "mode": ["hybrid"], "kind": ["observation"]}
    observations = result_ids(driver)
    driver.refresh()
    wait.until(lambda d: result_ids(d) == observations)
    assert shown(driver) == {"q": QUERY, "kind": "observation", "theme": ""}
    assert driver.find_elements(By.CSS_SELECTOR, '#facets .facet.on[data-facet="kind"][data-value="observation"]')

    driver.back()  # the search before the facet click
    wait.until(lambda d: result_ids(d) == unfiltered)
    assert shown(driver) == {"q": QUERY, "kind": "", "theme": ""}
    driver.forward()
    wait.until(lambda d: result_ids(d) == observations)
    assert shown(driver)["kind"] == "observation"

    # A shared link: the theme is not among the options before a search has filled them.
    driver.get(f"{server}/?{urlencode({'q': 'vacance', 'kind': 'recommendation', 'theme': 'patrimoine'})}")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results .result"))
    assert shown(driver) == {"q": "vacance", "kind": "recommendation", "theme": "patrimoine"}
    assert set(texts(driver, "#results .result-head .badge")) == {"Recommandation"}
    assert all("Patrimoine" in chips for chips in texts(driver, "#results .result .chips"))
    assert parse_qs(driver.execute_script("return location.search;")[1:])["mode"] == ["hybrid"]
    screenshot(driver, tmp_path, "ancols-ui-shared-link")


def walk_through(server, browser, corpus_dir, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    wait = WebDriverWait(driver, 30)
    long_wait = WebDriverWait(driver, 300, poll_frequency=0.5)

    # 1. Import: a report and a broken "PDF", through /jobs, with progress.
    broken = tmp_path / "scan-illisible.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not a readable PDF")
    driver.get(f"{server}/#importer")
    files = wait.until(EC.presence_of_element_located((By.ID, "files")))
    files.send_keys(f"{corpus_dir / TOIT}\n{broken}")
    wait.until(EC.element_to_be_clickable((By.ID, "upload-btn"))).click()
    wait.until(EC.visibility_of_element_located((By.ID, "job")))
    long_wait.until(lambda d: d.find_element(By.ID, "job-status").get_attribute("data-status") in ("done", "failed"))
    assert driver.find_element(By.ID, "job-status").get_attribute("data-status") == "done"
    lines = driver.find_elements(By.CSS_SELECTOR, "#job-files li")
    assert [li.get_attribute("data-status") for li in lines] == ["done", "failed"]
    assert "PDF illisible" in lines[1].text and "unreadable_pdf" in lines[1].text
    assert "passages" in lines[0].text
    screenshot(driver, tmp_path, "ancols-ui-import")

    # 2. Search: kind badges, highlighted words, facets.
    driver.get(f"{server}/#recherche")
    query = wait.until(EC.visibility_of_element_located((By.ID, "q")))
    query.send_keys(QUERY, Keys.ENTER)
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#results .result")))
    results = driver.find_elements(By.CSS_SELECTOR, "#results .result")
    assert len(results) >= 5
    badges = driver.find_elements(By.CSS_SELECTOR, "#results .result .badge")
    assert badges and {b.text for b in badges} <= {"Constat", "Recommandation", "Réponse", "Autre"}
    assert "Constat" in {b.text for b in badges}
    marks = [m.text.lower() for m in driver.find_elements(By.CSS_SELECTOR, "#results .result mark")]
    assert marks and any(m.startswith("vacan") for m in marks)
    assert driver.find_elements(By.CSS_SELECTOR, "#facets .facet")
    assert driver.find_element(By.ID, "store-status").text.startswith("1 document · ")
    screenshot(driver, tmp_path, "ancols-ui")

    # A facet click filters by kind.
    unfiltered = result_ids(driver)
    driver.find_element(By.CSS_SELECTOR, '#facets .facet[data-facet="kind"][data-value="observation"]').click()
    wait.until(lambda d: d.find_element(By.ID, "f-kind").get_attribute("value") == "observation")
    wait.until(lambda d: set(texts(d, "#results .result-head .badge")) == {"Constat"})
    search_in_the_address(driver, server, wait, tmp_path, unfiltered)

    # 3. A document: segments coloured by kind; a rebuttal shows what it answers.
    results = driver.find_elements(By.CSS_SELECTOR, "#results .result")
    results[0].find_element(By.CSS_SELECTOR, "a.open-doc").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#doc-text .seg.k-observation")))
    assert driver.find_elements(By.CSS_SELECTOR, "#doc-text .seg.k-recommendation")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#doc-text .seg.selected, #doc-text .seg.target")))
    assert driver.find_element(By.ID, "doc-title").text
    linked = driver.execute_script("""
        const id = location.hash.split('/')[1];
        return fetch(`/documents/${id}/segments?limit=100000`).then(r => r.json())
          .then(b => (b.segments.find(s => s.kind === 'rebuttal' && s.responds_to.length) || {}).position);
    """)
    assert linked is not None, "the report has a rebuttal linked to a finding"
    rebuttal = driver.find_element(By.ID, f"seg-{linked}")
    driver.execute_script("""
        const box = document.getElementById('doc-text');
        box.scrollTop += arguments[0].getBoundingClientRect().top - box.getBoundingClientRect().top - 120;
    """, rebuttal)
    rebuttal.click()
    wait.until(lambda d: "Répond à" in texts(d, "#doc-side")[0])
    side = texts(driver, "#doc-side")[0]
    assert "Position" in side and "confiance " in side, side  # the stance, and each target's confidence
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#doc-text .seg.target")))
    time.sleep(0.6)  # let the smooth scroll settle for the screenshot
    screenshot(driver, tmp_path, "ancols-ui-document")

    # A misspelt word: the line above the results says which spelling was searched as well.
    driver.get(f"{server}/?q=vacance+comerciale#recherche")
    said = "cherché aussi : « commerciale » pour « comerciale »"
    wait.until(lambda d: said in d.find_element(By.ID, "results-info").text)

    # 4. The assistant: a streamed answer with numbered citations and its sources.
    driver.get(f"{server}/#assistant")
    box = wait.until(EC.visibility_of_element_located((By.ID, "chat-input")))
    box.send_keys("Que dit le contrôle sur la vacance commerciale ?", Keys.ENTER)
    WebDriverWait(driver, 120).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".msg.assistant .bubble[data-done]"))
    bubble = driver.find_element(By.CSS_SELECTOR, ".msg.assistant .bubble[data-done]")
    assert bubble.get_attribute("data-done") == "true", bubble.text
    cites = bubble.find_elements(By.CSS_SELECTOR, ".answer a.cite")
    sources = bubble.find_elements(By.CSS_SELECTOR, ".sources .source")
    assert cites and sources and len({c.text for c in cites}) == len(sources)
    assert "vacance" in bubble.find_element(By.CSS_SELECTOR, ".answer").text.lower()
    screenshot(driver, tmp_path, "ancols-ui-chat")

    # A citation opens the cited passage in its document.
    cites[0].click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#doc-text .seg.selected")))
    errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"] if hasattr(driver, "get_log") else []
    assert not errors, errors


def test_the_page_says_the_apis_errors_in_french(server, browser, corpus_dir):
    """A report's paragraphs pasted into the assistant, past the question limit: the page showed the API's English
    message ("The query is longer than 2000 characters."); it says it in French, with the limit."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    paragraphs = (corpus_dir / TOIT).read_text(encoding="utf-8").split("\n\n")
    pasted = "\n\n".join(p for p in paragraphs if len(p) > 200)[:2500]
    assert len(pasted) > 2000
    driver = browser
    driver.get(f"{server}/#assistant")
    box = WebDriverWait(driver, 30).until(EC.visibility_of_element_located((By.ID, "chat-input")))
    done = ".msg.assistant .bubble[data-done]"
    answered = len(driver.find_elements(By.CSS_SELECTOR, done))  # an earlier test's conversation may still be shown
    driver.execute_script("arguments[0].value = arguments[1];", box, pasted)
    box.send_keys(Keys.ENTER)
    WebDriverWait(driver, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, done)) > answered)
    bubble = driver.find_elements(By.CSS_SELECTOR, done)[-1]
    assert bubble.get_attribute("data-done") == "error", bubble.text
    said = bubble.find_element(By.CSS_SELECTOR, ".answer .error").text
    assert said.startswith("Texte trop long") and "caractères au plus" in said and "2" in said, said


def test_a_result_over_two_pages_says_both(server, browser, corpus_dir):
    """A passage running from page 8 onto page 9 of a PDF report showed "p. 8" only, in the results and the
    document's side panel."""
    import httpx
    from pdfgen import corpus_paragraphs, make_pdf
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    pdf = make_pdf(corpus_paragraphs(corpus_dir / TOIT, limit_chars=30_000),
                   header="Le Toit Forézien – Rapport de contrôle 2017", footer="ANCOLS – Rapport définitif")
    created = httpx.post(f"{server}/documents", files={"file": ("toit.pdf", pdf, "application/pdf")}, timeout=300)
    assert created.status_code == 201, created.text
    doc_id = created.json()["id"]
    query = "conseil d'administration membres collège"
    found = httpx.get(f"{server}/search", params={"q": query, "mode": "hybrid", "k": 20}, timeout=60).json()["results"]
    spanning = [r for r in found if r["document_id"] == doc_id and r["page_end"] != r["page"]]
    assert spanning, [(r["page"], r["page_end"]) for r in found]
    driver = browser
    driver.get(f"{server}/?{urlencode({'q': query})}#recherche")
    # keyed by result: two sentences of one passage share its id, not their pages
    wanted = {r["result_id"]: f"p. {r['page']}–{r['page_end']}" for r in spanning}
    shown = "return Object.fromEntries([...document.querySelectorAll('#results .result')].map(" \
            "e => [e.dataset.resultId, e.querySelector('.result-head .muted').textContent]));"
    WebDriverWait(driver, 60).until(lambda d: set(wanted) <= set(d.execute_script(shown)))
    heads = driver.execute_script(shown)
    assert all(pages in heads[id_].split(" · ") for id_, pages in wanted.items()), (wanted, heads)
    first = spanning[0]
    driver.get(f"{server}/#document/{doc_id}/{first['position']}")
    side = "#doc-side .result-head .muted"
    WebDriverWait(driver, 60).until(lambda d: wanted[first["result_id"]] in texts(d, side)[:1])


def test_the_document_list_and_the_organism_menu_hold_every_document(server, browser, corpus_dir):
    """The page read one page of GET /documents (500): newer uploads were missing from the list and the chat's
    organism menu. Here the server's pages are cut to 2 documents: the page must ask for the next ones."""
    import httpx
    from selenium.webdriver.support.ui import WebDriverWait

    for name in ("000_ad04bc466fc4cae0.txt", "002_6bf2bb461188af34.txt", "003_12d7f4ee594b802f.txt"):
        sent = httpx.post(f"{server}/documents", files={"file": (name, (corpus_dir / name).read_bytes(), "text/plain")},
                          timeout=300)
        assert sent.status_code == 201, sent.text
    stored = httpx.get(f"{server}/documents", params={"limit": 100_000}, timeout=60).json()["documents"]
    organisms = sorted({d["meta"]["organism"] for d in stored if d["meta"].get("organism")})
    assert len(stored) > 2 and len(organisms) > 1
    driver = browser
    driver.get(f"{server}/#recherche")
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
    driver.execute_script("""
        const real = window.fetch;
        window.fetch = (path, options) => real(
          String(path).startsWith('/documents?') ? String(path).replace(/limit=\\d+/, 'limit=2') : path, options);
        location.hash = '#documents';
        loadOrganisms();
    """)
    listed = "return [...document.querySelectorAll('#documents tbody tr a')].map(a => a.getAttribute('href'));"
    menu = "return [...document.querySelectorAll('#chat-organism option')].slice(1).map(o => o.value);"
    wait = WebDriverWait(driver, 60)
    try:
        wait.until(lambda d: len(d.execute_script(listed)) == len(stored) and len(d.execute_script(menu)) == len(
            organisms))
    finally:
        assert driver.execute_script(listed) == [f"#document/{d['id']}" for d in stored]
        assert sorted(driver.execute_script(menu)) == organisms


def test_the_chat_organism_menu_follows_uploads_and_deletions(server, browser, corpus_dir):
    """The menu was read once, when the page opened: an organism uploaded (or deleted) afterwards, here by another
    client, was missing from it (or stayed) until a reload. Showing the chat asks again."""
    import httpx
    from selenium.webdriver.support.ui import WebDriverWait

    menu = "return [...document.querySelectorAll('#chat-organism option')].slice(1).map(o => o.value);"
    driver = browser
    driver.get(f"{server}/#assistant")
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
    before = sorted({d["meta"]["organism"] for d in httpx.get(f"{server}/documents", params={"limit": 100_000},
                                                              timeout=60).json()["documents"]} - {None})
    WebDriverWait(driver, 30).until(lambda d: sorted(d.execute_script(menu)) == before)

    def shown_again() -> list[str]:
        driver.execute_script("location.hash = '#recherche';")
        driver.execute_script("location.hash = '#assistant';")
        return sorted(driver.execute_script(menu))

    name = "001_d290a1a4feb3bef7.txt"  # Espace Domicile, an organism no other test stores
    sent = httpx.post(f"{server}/documents", files={"file": (name, (corpus_dir / name).read_bytes(), "text/plain")},
                      timeout=300)
    assert sent.status_code == 201, sent.text
    doc = httpx.get(f"{server}/documents/{sent.json()['id']}", timeout=60).json()
    organism = doc["meta"]["organism"]
    assert organism and organism not in before
    WebDriverWait(driver, 30, poll_frequency=1).until(lambda d: shown_again() == sorted([*before, organism]))
    assert httpx.delete(f"{server}/documents/{doc['id']}", timeout=60).status_code == 204
    WebDriverWait(driver, 30, poll_frequency=1).until(lambda d: shown_again() == before)


def test_an_import_cancelled_from_the_page_stops_and_keeps_what_it_stored(server, browser, corpus_dir, tmp_path):
    """The wrong folder sent: "Annuler l'import" stops the job; the file being read finishes, the others never run."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    from ancols_nlp.pipelines.doctype import REPORT_NUMBER

    paths = []
    for n, name in enumerate(("003_12d7f4ee594b802f.txt", "002_6bf2bb461188af34.txt", "004_964ee9d999fa8f65.txt")):
        path = tmp_path / f"mauvais-dossier-{n}.txt"
        # Another report number each: a copy of a report the store holds is refused as a near-duplicate before
        # the models run, too soon for a cancel to reach it.
        text = REPORT_NUMBER.sub(f"n° 2099-9{n}0", (corpus_dir / name).read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    driver = browser
    wait = WebDriverWait(driver, 30)
    driver.get(f"{server}/#importer")
    wait.until(EC.presence_of_element_located((By.ID, "files"))).send_keys("\n".join(map(str, paths)))
    wait.until(EC.element_to_be_clickable((By.ID, "upload-btn"))).click()
    wait.until(EC.element_to_be_clickable((By.ID, "job-cancel"))).click()
    status = "return [...document.querySelectorAll('#job-files li')].map(li => li.dataset.status);"
    WebDriverWait(driver, 300, poll_frequency=0.5).until(
        lambda d: d.find_element(By.ID, "job-status").get_attribute("data-status") == "cancelled"
        and "running" not in d.execute_script(status))
    shown = driver.execute_script(status)
    assert set(shown) <= {"done", "cancelled"} and shown[-1] == "cancelled", shown
    assert driver.find_element(By.CSS_SELECTOR, "#job .job-head strong").text == "Import annulé"
    assert not driver.find_element(By.ID, "job-cancel").is_displayed()
    job_id = driver.find_element(By.ID, "job-status").get_attribute("data-job-id")
    with urllib.request.urlopen(f"{server}/jobs/{job_id}", timeout=30) as response:
        job = json.loads(response.read())
    assert [f["status"] for f in job["files"]] == shown and job["status"] == "cancelled"
def test_a_reply_letters_answer_leads_to_the_finding_in_the_report(server, browser, corpus_dir):
    """The letter's answer citing "la recommandation n°1" links to the report's recommendation (another document).
    The result's "Voir le constat visé" opened the letter at the answer itself, and the side panel's "Répond à"
    button showed the letter's own passage at the finding's position (and marked it as the target)."""
    import httpx
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    from test_reply_links_api import LETTER, REPORT

    def upload(name, data):
        sent = httpx.post(f"{server}/documents", files={"file": (name, data, "text/plain")}, timeout=300)
        assert sent.status_code == 201, sent.text
        return sent.json()["id"]

    report = upload("rapport-coop-ivry.txt", REPORT.encode())
    letter = upload(LETTER, (corpus_dir / LETTER).read_bytes())
    answers = httpx.get(f"{server}/documents/{letter}/segments", params={"limit": 5000}, timeout=60).json()["segments"]
    answer = next(s for s in answers if "la recommandation n°1" in s["text"])
    finding = httpx.get(f"{server}/segments/{answer['responds_to'][0]}", timeout=60).json()["segment"]
    assert finding["document_id"] == report and "Recommandation n°1" in finding["text"]

    driver = browser
    wait = WebDriverWait(driver, 60)
    driver.get(f"{server}/?{urlencode({'q': answer['text'][:150], 'kind': 'rebuttal'})}#recherche")
    card = f'#results .result[data-id="{answer["id"]}"]'
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, card))
    visé = driver.find_element(By.CSS_SELECTOR, f"{card} .actions a:not(.open-doc)")
    assert visé.text == "Voir le constat visé"
    assert visé.get_attribute("href").endswith(f"#document/{report}/{finding['position']}")

    driver.get(f"{server}/#document/{letter}/{answer['position']}")
    button = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#doc-side button.linked"))[0]
    marked = driver.execute_script("return [...document.querySelectorAll('#doc-text .seg.target')].length;")
    assert marked == 0, "a passage of the letter was marked as the finding answered"
    button.click()
    wait.until(lambda d: d.execute_script("return location.hash;") == f"#document/{report}/{finding['position']}")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f"#doc-text #seg-{finding['position']}.selected"))
    wait.until(lambda d: answer["text"][:40] in d.find_element(By.ID, "doc-side").text)  # answered by the letter


def test_the_controls_say_their_name_and_state_to_a_screen_reader(server, browser, corpus_dir):
    """A facet chosen (the search filtered by it) was shown by its colour only: a screen reader said "Constat 12,
    button" whether it was on or off. Each facet button says it (aria-pressed); every control of each view has the
    name Chromium computes for it, in a page declared French."""
    import httpx
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    sent = httpx.post(f"{server}/documents", files={"file": (TOIT, (corpus_dir / TOIT).read_bytes(), "text/plain")},
                      timeout=300)  # stored already when the walk-through ran first
    assert sent.status_code == 201, sent.text
    driver = browser
    wait = WebDriverWait(driver, 60)
    unnamed, controls = [], "main input, main select, main textarea, main button"
    for view in ("recherche", "importer", "assistant"):
        driver.get(f"{server}/#{view}")
        wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
        unnamed += [f"{view}: {c.get_attribute('id') or c.get_attribute('outerHTML')[:80]}"
                    for c in driver.find_elements(By.CSS_SELECTOR, controls)
                    if c.is_displayed() and not c.accessible_name.strip()]
    assert not unnamed, unnamed
    driver.get(f"{server}/?{urlencode({'q': QUERY, 'kind': 'observation'})}#recherche")
    pressed = "return Object.fromEntries([...document.querySelectorAll('#facets .facet[data-facet=\"kind\"]')]" \
              ".map(b => [b.dataset.value, b.getAttribute('aria-pressed')]));"
    wait.until(lambda d: d.execute_script(pressed))
    assert driver.execute_script(pressed) == {"observation": "true"}
    driver.get(f"{server}/?{urlencode({'q': QUERY})}#recherche")
    wait.until(lambda d: len(d.execute_script(pressed)) > 1)
    assert set(driver.execute_script(pressed).values()) == {"false"}


def test_a_single_result_is_counted_in_the_singular(server, browser):
    """One passage found read "1 passages les plus pertinents"."""
    import httpx
    from selenium.webdriver.support.ui import WebDriverWait

    text = "La société doit reprendre la zinguerie de la résidence Trifouilly-les-Oies avant l'hiver."
    sent = httpx.post(f"{server}/documents", files={"file": ("zinguerie.txt", text.encode(), "text/plain")},
                      timeout=300)
    assert sent.status_code == 201, sent.text
    browser.get(f"{server}/?{urlencode({'q': 'Trifouilly', 'mode': 'lexical'})}#recherche")
    WebDriverWait(browser, 60).until(lambda d: len(result_ids(d)) == 1)
    assert texts(browser, "#results-info")[0] == "1 passage le plus pertinent pour « Trifouilly »"


def test_the_filter_menus_offer_every_theme_and_organism_once_one_is_chosen(server, browser, corpus_dir):
    """The theme and organism menus were refilled from each search's facets, which count under the filters: once an
    organism was chosen its menu held that organism alone (and a theme's, the themes its passages share), so going to
    another meant clearing the filter first."""
    import httpx
    from selenium.webdriver.support.ui import WebDriverWait

    for name in (TOIT, "002_6bf2bb461188af34.txt"):
        sent = httpx.post(f"{server}/documents", files={"file": (name, (corpus_dir / name).read_bytes(), "text/plain")},
                          timeout=300)
        assert sent.status_code == 201, sent.text
    # One entry an organism, however its documents spell it (the module's letter 000 writes OCR's "Coop'lvry").
    organisms = sorted(httpx.get(f"{server}/organisms", timeout=60).json()["organisms"])
    assert {"LOGIDIA", "Le Toit Forézien"} <= set(organisms)
    browser.get(f"{server}/?{urlencode({'q': 'vacance', 'organism': 'LOGIDIA', 'theme': 'vacance'})}#recherche")
    options = "return [...document.querySelectorAll(arguments[0] + ' option')].slice(1).map(o => o.value);"
    wait = WebDriverWait(browser, 60)
    wait.until(lambda d: result_ids(d))
    wait.until(lambda d: sorted(d.execute_script(options, "#f-organism")) == organisms)
    assert sorted(browser.execute_script(options, "#f-theme")) == sorted(get_args(Theme))


def test_a_sentence_result_is_shown_in_its_passage(server, browser, corpus_dir, tmp_path):
    """« Phrases » (grain=sentence, kept in the address): a result that is one sentence of a passage shows the whole
    passage with the sentence emphasised (alone it may lose its referent); a whole passage shows as before."""
    import httpx
    from selenium.webdriver.support.ui import WebDriverWait

    path = corpus_dir / TOIT
    stored = httpx.post(f"{server}/documents", files={"file": (path.name, path.read_bytes(), "text/plain")},
                        timeout=300)
    assert stored.status_code in (200, 201), stored.text
    found = httpx.get(f"{server}/search", params={"q": QUERY, "mode": "hybrid", "grain": "sentence", "k": 20},
                      timeout=60).json()["results"]
    assert any(r["passage_text"] for r in found)
    driver = browser
    driver.get(f"{server}/?{urlencode({'q': QUERY, 'mode': 'hybrid', 'grain': 'sentence'})}#recherche")
    shown = "return [...document.querySelectorAll('#results .result .text')].map(" \
            "e => [e.textContent, e.querySelector('.piece') ? e.querySelector('.piece').textContent : null]);"
    wanted = [[r["passage_text"] or r["text"], r["text"] if r["passage_text"] else None] for r in found]
    WebDriverWait(driver, 60).until(lambda d: d.execute_script(shown) == wanted)
    assert driver.execute_script("return document.querySelector('#grain').value;") == "sentence"
    assert texts(driver, "#results-info")[0] == f"{len(found)} extraits les plus pertinents pour « {QUERY} »"
    screenshot(driver, tmp_path, "ancols-sentence-results")


def test_a_documents_passages_are_chosen_with_the_keyboard(server, browser, corpus_dir):
    """The passages of the document view answered the mouse only: no passage could take the focus, so a keyboard
    user could not see a passage's kind, themes or the finding an answer responds to. The text is one tab stop (the
    chosen passage); the arrow keys go from passage to passage and show each, Home and End go to the ends."""
    import httpx
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    text = (corpus_dir / "000_ad04bc466fc4cae0.txt").read_text(encoding="utf-8")[:6000]
    sent = httpx.post(f"{server}/documents", files={"file": ("reponse-extrait.txt", text.encode(), "text/plain")},
                      timeout=300)
    assert sent.status_code == 201, sent.text
    document = sent.json()["id"]
    segments = httpx.get(f"{server}/documents/{document}/segments", timeout=60).json()["segments"]
    assert len(segments) > 5
    driver = browser
    wait = WebDriverWait(driver, 60)
    driver.get(f"{server}/#document/{document}")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#doc-text .seg"))
    stops = driver.execute_script("return [...document.querySelectorAll('#doc-text .seg')]"
                                  ".filter(n => n.tabIndex >= 0).map(n => n.dataset.pos);")
    assert stops == [str(segments[0]["position"])]  # one tab stop, not one per passage
    focused = "return document.activeElement.dataset.pos;"
    driver.find_element(By.CSS_SELECTOR, ".doc-head .back").send_keys(Keys.TAB)  # from the link before the text
    wait.until(lambda d: d.execute_script(focused) == str(segments[0]["position"]))
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f"#seg-{segments[0]['position']}.selected"))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#doc-side .scores"))  # its kind scores shown
    for step in (1, 2):
        driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
        wait.until(lambda d: d.execute_script(focused) == str(segments[step]["position"]))
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f"#seg-{segments[step]['position']}.selected"))
    driver.switch_to.active_element.send_keys(Keys.ARROW_UP)
    wait.until(lambda d: d.execute_script(focused) == str(segments[1]["position"]))
    driver.switch_to.active_element.send_keys(Keys.END)
    wait.until(lambda d: d.execute_script(focused) == str(segments[-1]["position"]))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f"#seg-{segments[-1]['position']}.selected"))
    assert driver.execute_script("return [...document.querySelectorAll('#doc-text .seg')]"
                                 ".filter(n => n.tabIndex >= 0).map(n => n.dataset.pos);") == [
        str(segments[-1]["position"])]


def test_a_search_with_no_word_to_search_says_why(server, browser, corpus_dir):
    """"le la de" (or "?") searched from the page showed "Question refusée par le service", which says neither what
    was wrong nor what to do: the API refuses a query with no word to search (detail.reason "no_word"), and the page
    says so in French."""
    import httpx
    from selenium.webdriver.support.ui import WebDriverWait

    sent = httpx.post(f"{server}/documents", files={"file": (TOIT, (corpus_dir / TOIT).read_bytes(), "text/plain")},
                      timeout=300)  # stored already when an earlier test ran first
    assert sent.status_code == 201, sent.text
    refused = httpx.get(f"{server}/search", params={"q": "le la de"}, timeout=60)
    assert refused.status_code == 422 and refused.json()["error"]["detail"] == {"reason": "no_word"}
    browser.get(f"{server}/?{urlencode({'q': 'le la de'})}#recherche")
    wait = WebDriverWait(browser, 60)
    wait.until(lambda d: texts(d, "#results-info .error"))
    said = texts(browser, "#results-info .error")[0]
    assert said.startswith("Aucun mot à chercher") and "mots vides" in said, said
