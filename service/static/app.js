/* ANCOLS — interface web : recherche, documents, import (jobs), assistant (chat en flux SSE).
   Aucun outil de construction : du JavaScript tel que le navigateur le lit. */
"use strict";

const KIND_LABELS = {
  observation: "Constat",
  recommendation: "Recommandation",
  rebuttal: "Réponse de l'organisme",
  other: "Autre",
};
const KIND_SHORT = { observation: "Constat", recommendation: "Recommandation", rebuttal: "Réponse", other: "Autre" };
const THEME_LABELS = {
  gouvernance: "Gouvernance", commande_publique: "Commande publique", patrimoine: "Patrimoine", vacance: "Vacance",
  loyers_charges: "Loyers et charges", occupation_sociale: "Occupation sociale", attributions: "Attributions",
  impayes: "Impayés", qualite_service: "Qualité de service", finances: "Finances", developpement: "Développement",
  comptabilite: "Comptabilité", ventes: "Ventes",
};
const JOB_STATUS = { queued: "En attente", running: "En cours", done: "Terminé", failed: "Échec", cancelled: "Annulé" };
const FILE_STATUS = { pending: "en attente", running: "en cours", done: "importé", failed: "erreur", cancelled: "annulé" };
const FILE_ERRORS = {
  empty_document: "Document vide",
  unreadable_pdf: "PDF illisible (corrompu, tronqué ou pas un PDF)",
  encrypted_pdf: "PDF protégé par un mot de passe",
  no_text_layer: "PDF scanné, sans texte (aucune couche texte)",
  too_many_pages: "Trop de pages",
  unsupported_type: "Type de fichier non pris en charge (PDF, .docx, .odt, .html, .txt ou .md)",
  unreadable_office: "Document Word ou OpenDocument illisible (corrompu ou tronqué)",
  encrypted_office: "Document protégé par un mot de passe",
  office_too_large: "Document trop volumineux une fois décompressé",
  undecodable_text: "Texte illisible : enregistrez-le en UTF-8",
  pdf_too_complex: "PDF trop lourd ou trop complexe à lire",
  document_too_complex: "Document trop lourd ou trop complexe à lire",
  payload_too_large: "Fichier trop volumineux",
  interrupted: "Import interrompu à plusieurs reprises",
  upload_lost: "Fichier reçu introuvable sur le disque",
  internal_error: "Erreur inattendue (consignée dans le journal)",
};
// The API's own error codes (service/errors.py), said in the page's language; its English message stays in the log.
const API_ERRORS = {
  bad_query: "Question refusée par le service",
  invalid_request: "Requête refusée par le service",
  not_found: "Introuvable (supprimé entre-temps ?)",
  unauthorized: "Clé d'API manquante ou incorrecte : saisissez-la dans l'onglet Importer",
  store_unavailable: "La base de données du service ne répond pas : réessayez dans un moment",
  internal_error: "Erreur inattendue du service (consignée dans son journal)",
};
const NO_WORD = "Aucun mot à chercher : la recherche ne contient que des mots vides (le, la, de…), de la ponctuation ou des symboles";
const UNREACHABLE = "Service injoignable : vérifiez qu'il est démarré, puis réessayez";

function errorText(body, status) {
  const error = body && body.error;
  if (!error) return `Le service a répondu par une erreur (HTTP ${status})`;
  if (error.detail && error.detail.max_chars) return `Texte trop long : ${fmt.format(error.detail.max_chars)} caractères au plus`;
  if (error.detail && error.detail.reason === "no_word") return NO_WORD;
  return API_ERRORS[error.code] || FILE_ERRORS[error.code] || error.message;
}

async function request(path, options) {
  try {
    return await fetch(path, options);
  } catch (err) {
    throw new Error(UNREACHABLE);
  }
}

const plural = (n, one, many) => `${fmt.format(n)} ${n === 1 ? one : many}`;
const score = (x) => x.toLocaleString("fr-FR", { maximumFractionDigits: 2, minimumFractionDigits: 2 });

const $ = (sel, root = document) => root.querySelector(sel);
const fmt = new Intl.NumberFormat("fr-FR");

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const themeLabel = (t) => THEME_LABELS[t] || (t.charAt(0).toUpperCase() + t.slice(1)).replaceAll("_", " ");
const kindBadge = (kind, short = true) =>
  el("span", { class: `badge kind-${kind}`, text: (short ? KIND_SHORT : KIND_LABELS)[kind] || kind });
const chips = (themes) => el("div", { class: "chips" }, (themes || []).map((t) => el("span", { class: "chip", text: themeLabel(t) })));

function apiKeyHeaders() {
  const key = localStorage.getItem("ancols-api-key");
  return key ? { "X-API-Key": key } : {};
}

async function api(path, options = {}) {
  const response = await request(path, options);
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new Error(errorText(body, response.status));
  return body;
}

function docLink(documentId, position) {
  return `#document/${encodeURIComponent(documentId)}` + (position === undefined ? "" : `/${position}`);
}

// The link to segment "<document_id>:<position>" (a finding a rebuttal answers may be in another document).
function segmentLink(segmentId) {
  const at = segmentId.lastIndexOf(":");
  return docLink(segmentId.slice(0, at), Number(segmentId.slice(at + 1)));
}

// "p. 14", or "p. 14–15" for a passage running onto the next page (as the API's page and page_end say).
function pageText(page, pageEnd) {
  if (!page) return "";
  return pageEnd && pageEnd !== page ? `p. ${page}–${pageEnd}` : `p. ${page}`;
}

function whereText(meta) {
  const parts = [];
  if (meta.organism) parts.push(meta.organism);
  if (meta.report_number) parts.push(`rapport n° ${meta.report_number}`);
  if (meta.doc_type === "reply") parts.push("lettre de réponse");
  if (meta.page) parts.push(pageText(meta.page, meta.page_end));
  return parts.join(" · ");
}

/* ------------------------------------------------------------------ navigation */
const views = ["search", "documents", "document", "upload", "chat"];

function route() {
  const hash = decodeURIComponent(location.hash.replace(/^#/, ""));
  const [name, ...rest] = hash.split("/");
  const view = { recherche: "search", documents: "documents", document: "document", importer: "upload", assistant: "chat" }[name] || "search";
  for (const v of views) $(`#view-${v}`).hidden = v !== view;
  document.querySelectorAll(".tab").forEach((tab) => {
    tab.classList.toggle("active", tab.dataset.view === view || (view === "document" && tab.dataset.view === "documents"));
  });
  if (view === "documents") loadDocuments();
  if (view === "document" && rest[0]) openDocument(rest[0], rest[1] !== undefined ? Number(rest[1]) : null);
  if (view === "upload") loadJobs();
  if (view === "chat") {
    loadOrganisms();
    $("#chat-input").focus();
  }
}

async function refreshStatus() {
  try {
    const health = await api("/health");
    $("#store-status").textContent = `${plural(health.documents, "document", "documents")} · ${plural(health.segments, "passage", "passages")}`;
  } catch (err) {
    $("#store-status").textContent = "service indisponible";
  }
}

/* ------------------------------------------------------------------ recherche */
const filterSelects = { kind: "#f-kind", theme: "#f-theme", organism: "#f-organism" };

function fillSelect(select, values, labeller) {
  const current = select.value;
  const first = select.options[0];
  select.replaceChildren(first);
  const names = new Set(values);
  if (current) names.add(current);
  [...names].sort((a, b) => labeller(a).localeCompare(labeller(b), "fr")).forEach((v) =>
    select.append(el("option", { value: v, text: labeller(v) })));
  select.value = current;
}

function highlighted(text, start, spans) {
  const parts = (spans || [])
    .map(([a, b]) => [Math.max(0, a - start), Math.min(text.length, b - start)])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const out = [];
  let at = 0;
  for (const [a, b] of parts) {
    if (a < at) continue;
    if (a > at) out.push(text.slice(at, a));
    out.push(el("mark", { text: text.slice(a, b) }));
    at = b;
  }
  out.push(text.slice(at));
  return out;
}

function renderFacets(facets) {
  const box = $("#facets");
  box.replaceChildren();
  const groups = [["kind", "Type", (k) => KIND_SHORT[k] || k], ["theme", "Thème", themeLabel], ["organism", "Organisme", (o) => o]];
  for (const [name, title, labeller] of groups) {
    const counts = (facets || {})[name] || {};
    const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
    if (!entries.length) continue;
    box.append(el("h4", { text: title }));
    const selected = $(filterSelects[name]).value;
    for (const [value, count] of entries.slice(0, 12)) {
      box.append(el("button", {
        type: "button", class: `facet${selected === value ? " on" : ""}`, dataset: { facet: name, value },
        "aria-pressed": String(selected === value),
        onclick: () => { const s = $(filterSelects[name]); s.value = s.value === value ? "" : value; runSearch(); },
      }, el("span", {}, name === "kind" ? kindBadge(value) : labeller(value)), el("span", { class: "count", text: fmt.format(count) })));
    }
  }
}

function resultCard(r) {
  const head = el("div", { class: "result-head" },
    kindBadge(r.kind),
    r.organism ? el("span", { class: "org", text: r.organism }) : null,
    el("span", { class: "muted", text: whereText({ report_number: r.report_number, doc_type: r.doc_type, page: r.page, page_end: r.page_end }) }),
    el("span", { class: "score", title: "Score de pertinence", text: `score ${score(r.score)}` }));
  const crumbs = r.section_path && r.section_path.length ? el("p", { class: "crumbs", text: r.section_path.slice(-3).join(" › ") }) : null;
  const actions = el("div", { class: "actions" },
    el("a", { href: docLink(r.document_id, r.position), class: "open-doc", text: "Voir dans le document" }),
    r.responds_to && r.responds_to.length
      ? el("a", { href: segmentLink(r.responds_to[0]), text: "Voir le constat visé" }) : null);
  return el("article", { class: `result kind-${r.kind}`, dataset: { id: r.id, resultId: r.result_id } }, head, crumbs,
    el("p", { class: "text" }, resultText(r)), chips(r.themes), actions);
}

/* A sentence result (grain=sentence) is shown in its passage, the sentence emphasised: alone it may lose its
   referent ("Il est en cours d'actualisation"). */
function resultText(r) {
  if (!r.passage_text) return highlighted(r.text, r.start, r.highlights);
  const before = r.passage_text.slice(0, r.start - r.passage_start);
  const after = r.passage_text.slice(r.end - r.passage_start);
  return [before, el("strong", { class: "piece" }, highlighted(r.text, r.start, r.highlights)), after];
}

/* The search on screen lives in the address (?q=…&mode=…&grain=…&kind=…), so it can be bookmarked, shared,
   reloaded and walked with back/forward; the hash keeps the view. */
let shownSearch = "";

function formSearch() {
  const params = new URLSearchParams({ q: $("#q").value.trim(), mode: $("#mode").value });
  if ($("#grain").value) params.append("grain", $("#grain").value);  // else the service's default grain
  for (const [name, sel] of Object.entries(filterSelects)) if ($(sel).value) params.append(name, $(sel).value);
  return params;
}

function setSelect(select, value, labeller) {
  // Theme and organism options come from a search's facets: one read from the address may not be there yet.
  if (value && labeller && ![...select.options].some((o) => o.value === value)) {
    select.append(el("option", { value, text: labeller(value) }));
  }
  select.value = value;
  if (select.selectedIndex < 0) select.selectedIndex = 0;
}

let searchSeq = 0;
let searchIntro = null;
function restoreSearch() {
  const params = new URLSearchParams(location.search);
  $("#q").value = params.get("q") || "";
  setSelect($("#mode"), params.get("mode") || "");
  setSelect($("#grain"), params.get("grain") || "");
  const labellers = { theme: themeLabel, organism: (o) => o };
  for (const [name, sel] of Object.entries(filterSelects)) setSelect($(sel), params.get(name) || "", labellers[name]);
  if ($("#q").value.trim()) { runSearch("replaceState"); return; }
  shownSearch = "";
  searchSeq++;
  $("#results").replaceChildren(searchIntro);
  $("#results-info").textContent = "";
  $("#facets").replaceChildren();
}

async function runSearch(record = "pushState") {
  const state = formSearch();
  if (!state.get("q")) return;
  shownSearch = state.toString();
  if (location.search !== `?${shownSearch}`) history[record](null, "", `?${shownSearch}${location.hash}`);
  const seq = ++searchSeq;
  $("#results-info").textContent = "Recherche…";
  try {
    const body = await api(`/search?${shownSearch}&k=20`);
    if (seq !== searchSeq) return;
    const results = $("#results");
    results.replaceChildren(...body.results.map(resultCard));
    if (!body.results.length) results.append(el("div", { class: "empty", text: "Aucun passage ne correspond. Essayez d'autres mots ou retirez des filtres." }));
    const found = body.results.some((r) => r.passage_text)  // sentences of passages (grain=sentence)
      ? plural(body.results.length, "extrait le plus pertinent", "extraits les plus pertinents")
      : plural(body.results.length, "passage le plus pertinent", "passages les plus pertinents");
    const info = `${found} pour « ${body.query} »`;
    const fixes = (body.corrections || []).map((c) => `« ${c.meant} » pour « ${c.typed} »`);
    $("#results-info").textContent = fixes.length ? `${info} — cherché aussi : ${fixes.join(", ")}` : info;
    renderFacets(body.facets);
  } catch (err) {
    $("#results-info").replaceChildren(el("span", { class: "error", text: err.message }));
  }
}

/* ------------------------------------------------------------------ documents */
const DOCUMENTS_PAGE = 500;

// Every stored document, oldest first: GET /documents a page at a time until its total (a page may hold fewer).
async function allDocuments() {
  const documents = [];
  for (;;) {
    const body = await api(`/documents?limit=${DOCUMENTS_PAGE}&offset=${documents.length}`);
    documents.push(...body.documents);
    if (!body.documents.length || documents.length >= body.total) return documents;
  }
}

async function loadDocuments() {
  const box = $("#documents");
  try {
    const documents = await allDocuments();
    if (!documents.length) {
      box.replaceChildren(el("div", { class: "empty" }, "Aucun document pour l'instant. ", el("a", { href: "#importer", text: "Importer des fichiers" })));
      return;
    }
    const rows = documents.map((d) => el("tr", {},
      el("td", {}, el("a", { href: docLink(d.id), text: d.meta.title || d.filename })),
      el("td", { text: d.meta.organism || "—" }),
      el("td", { text: d.meta.doc_type === "reply" ? "Réponse" : "Rapport" }),
      el("td", { text: d.meta.report_number || "—" }),
      el("td", { text: d.meta.year || "—" }),
      el("td", { text: fmt.format(d.segment_count) })));
    box.replaceChildren(el("table", {},
      el("thead", {}, el("tr", {}, ["Titre", "Organisme", "Type", "N° de rapport", "Année", "Passages"].map((h) => el("th", { text: h })))),
      el("tbody", {}, rows)));
  } catch (err) {
    box.replaceChildren(el("p", { class: "error", text: err.message }));
  }
}

const docState = { id: null, segments: [] };

async function openDocument(id, position) {
  if (docState.id !== id) {
    docState.id = id;
    $("#doc-title").textContent = "Chargement…";
    $("#doc-meta").textContent = "";
    $("#doc-text").replaceChildren();
    try {
      const [doc, text, segs] = await Promise.all([
        api(`/documents/${encodeURIComponent(id)}`),
        api(`/documents/${encodeURIComponent(id)}/text`),
        api(`/documents/${encodeURIComponent(id)}/segments?limit=100000`),
      ]);
      if (docState.id !== id) return;
      renderDocument(doc, text.text, segs.segments);
    } catch (err) {
      docState.id = null;
      $("#doc-title").textContent = "Document introuvable";
      $("#doc-meta").replaceChildren(el("span", { class: "error", text: err.message }));
      return;
    }
  }
  if (position !== null && !Number.isNaN(position)) selectSegment(position, true);
}

function renderDocument(doc, text, segments) {
  docState.segments = segments;
  $("#doc-title").textContent = doc.meta.title || doc.filename;
  const meta = [doc.meta.doc_type === "reply" ? "Lettre de réponse" : "Rapport de contrôle", doc.meta.organism,
    doc.meta.report_number && `n° ${doc.meta.report_number}`, doc.meta.year,
    doc.pages.length ? plural(doc.pages.length, "page", "pages") : null, plural(segments.length, "passage", "passages"), doc.filename];
  $("#doc-meta").textContent = meta.filter(Boolean).join(" · ");
  const counts = {};
  segments.forEach((s) => { counts[s.kind] = (counts[s.kind] || 0) + 1; });
  $("#doc-legend").replaceChildren(...["observation", "recommendation", "rebuttal", "other"].map((k) =>
    el("span", {}, kindBadge(k, false), " ", el("span", { class: "muted", text: fmt.format(counts[k] || 0) }))));
  const frag = document.createDocumentFragment();
  let at = 0;
  for (const s of segments) {
    if (s.start < at) continue;
    if (s.start > at) frag.append(text.slice(at, s.start));
    frag.append(el("span", {
      class: `seg k-${s.kind}`, id: `seg-${s.position}`, dataset: { pos: s.position, kind: s.kind },
      title: KIND_LABELS[s.kind], text: text.slice(s.start, s.end), tabindex: s === segments[0] ? "0" : "-1",
    }));
    at = s.end;
  }
  frag.append(text.slice(at));
  const box = $("#doc-text");
  box.replaceChildren(frag);
  box.scrollTop = 0;
  $("#doc-side").replaceChildren(el("p", { class: "muted", text: "Cliquez sur un passage coloré pour voir son type, ses thèmes et, pour une réponse de l'organisme, le constat auquel elle répond." }));
}

function scoreRows(scores) {
  return el("div", { class: "scores" }, Object.entries(scores || {}).sort((a, b) => b[1] - a[1]).map(([k, v]) => [
    el("span", { text: KIND_SHORT[k] || themeLabel(k) }),
    el("div", { class: "scorebar" }, el("div", { style: `width:${Math.round(Math.max(0, Math.min(1, v)) * 100)}%` })),
    el("span", { class: "muted", text: v.toFixed(2) })]));
}

// A linked passage: selected in place, or opened in its own document (a reply letter's answer → its report).
function linkedButton(seg, verb) {
  const open = () => (seg.document_id === docState.id ? selectSegment(seg.position, true, true)
    : (location.hash = docLink(seg.document_id, seg.position)));
  return el("button", { type: "button", class: "linked", onclick: open },
    kindBadge(seg.kind), " ", verb, el("blockquote", { text: seg.text.length > 320 ? seg.text.slice(0, 320) + "…" : seg.text }));
}

const STANCES = { contests: "conteste", commits: "s'engage", accepts: "reconnaît", explains: "explique" };

// "confiance 0,82" for the link from rebuttal `answer` to finding id `finding`, "" when it has none.
function confidenceText(answer, finding) {
  const c = (answer.link_confidence || [])[answer.responds_to.indexOf(finding)];
  return typeof c === "number" ? `confiance ${c.toFixed(2).replace(".", ",")}` : "";
}

function linkNote(...parts) {
  return el("span", { class: "muted", text: parts.filter(Boolean).join(" · ") });
}

function scrollToSegment(node) {
  // Scroll the text panel only (not the page), the passage in the middle.
  const box = $("#doc-text");
  const top = node.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
  box.scrollTo({ top: Math.max(0, top - box.clientHeight / 3), behavior: "smooth" });
}

async function selectSegment(position, scroll, flash = false) {
  const node = document.getElementById(`seg-${position}`);
  document.querySelectorAll(".seg.selected, .seg.target").forEach((n) => n.classList.remove("selected", "target"));
  if (!node) return;
  node.classList.add(flash ? "target" : "selected");
  // The text is one tab stop, the chosen passage (a report holds a thousand: one stop each would bury the panel).
  document.querySelectorAll('#doc-text .seg[tabindex="0"]').forEach((n) => { n.tabIndex = -1; });
  node.tabIndex = 0;
  if (scroll) scrollToSegment(node);
  const side = $("#doc-side");
  try {
    const ctx = await api(`/segments/${encodeURIComponent(docState.id)}:${position}`);
    const s = ctx.segment;
    const parts = [
      el("div", { class: "result-head" }, kindBadge(s.kind, false), el("span", { class: "muted", text: pageText(s.page, s.page_end) })),
      s.section_path.length ? el("p", { class: "crumbs", text: s.section_path.join(" › ") }) : null,
      el("h4", { text: "Type de passage" }), scoreRows(s.kind_scores),
      s.themes.length ? [el("h4", { text: "Thèmes" }), chips(s.themes)] : null,
    ];
    if (s.stance) {
      parts.push(el("h4", { text: "Position" }), el("p", { class: "stance", text: STANCES[s.stance] || s.stance }));
    }
    if (ctx.responds_to.length) {
      parts.push(el("h4", { text: "Répond à" }),
        ctx.responds_to.map((t) => linkedButton(t, linkNote(confidenceText(s, t.id)))));
      ctx.responds_to.filter((t) => t.document_id === docState.id)
        .forEach((t) => document.getElementById(`seg-${t.position}`)?.classList.add("target"));
    }
    if (ctx.answered_by.length) {
      parts.push(el("h4", { text: "Réponse de l'organisme" }),
        ctx.answered_by.map((a) => linkedButton(a, linkNote(STANCES[a.stance], confidenceText(a, s.id)))));
    }
    if (s.kind === "rebuttal" && !ctx.responds_to.length) parts.push(el("p", { class: "muted", text: "Aucun constat lié n'a été trouvé pour cette réponse." }));
    side.replaceChildren(...parts.flat().filter(Boolean));
  } catch (err) {
    side.replaceChildren(el("p", { class: "error", text: err.message }));
  }
}

// The keyboard in the document's text: Enter or Space shows the focused passage, the arrows the one after or before,
// Home and End the first and the last (the focus follows, so the next key goes on from there).
const SEGMENT_KEYS = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };

function segmentKey(e) {
  const seg = e.target.closest(".seg");
  if (!seg || e.altKey || e.ctrlKey || e.metaKey) return;
  const all = [...$("#doc-text").querySelectorAll(".seg")];
  let next = null;
  if (e.key === "Enter" || e.key === " ") next = seg;
  else if (e.key in SEGMENT_KEYS) next = all[all.indexOf(seg) + SEGMENT_KEYS[e.key]];
  else if (e.key === "Home") next = all[0];
  else if (e.key === "End") next = all[all.length - 1];
  else return;
  e.preventDefault();
  if (!next) return;
  selectSegment(Number(next.dataset.pos), next !== seg);
  next.focus({ preventScroll: true });
}

/* ------------------------------------------------------------------ import (jobs) */
let pollTimer = null;

function chosenFiles() { return [...$("#files").files]; }

function showChosen() {
  const files = chosenFiles();
  $("#chosen").replaceChildren(...files.map((f) => el("li", {}, `📄 ${f.name} `, el("span", { class: "muted", text: `(${fmt.format(Math.ceil(f.size / 1024))} Ko)` }))));
  $("#dropzone span").textContent = files.length ? `${plural(files.length, "fichier choisi", "fichiers choisis")} — cliquez pour changer` : "ou cliquez pour les choisir (plusieurs à la fois)";
  $("#upload-btn").disabled = files.length === 0;
}

function fileLine(f) {
  const status = el("span", { class: `st ${f.status}`, text: FILE_STATUS[f.status] || f.status });
  let detail = null;
  if (f.status === "done") {
    detail = el("span", {}, `${fmt.format(f.segment_count)} passages${f.duplicate ? " (déjà présent)" : ""} · `,
      el("a", { href: docLink(f.document_id), text: "ouvrir" }),
      ...(f.warnings || []).map((w) => el("span", { class: "warn", title: w.message, dataset: { code: w.code } },
        ` · ⚠ ${plural(w.pages.length, "page numérisée non lue", "pages numérisées non lues")} : ${w.pages.join(", ")}`)));
  } else if (f.error) {
    detail = el("span", { class: "error", title: f.error.message, dataset: { code: f.error.code } },
      `${FILE_ERRORS[f.error.code] || f.error.message} `, el("code", { text: f.error.code }));
  }
  return el("li", { dataset: { status: f.status } }, status, el("strong", { text: f.filename }), detail);
}

function renderJob(job) {
  const p = job.progress;
  const pct = p.total ? Math.round((p.done / p.total) * 100) : 0;
  $("#job").hidden = false;
  $("#job-bar").style.width = `${pct}%`;
  $(".progress").setAttribute("aria-valuenow", String(pct));
  const status = $("#job-status");
  status.dataset.status = job.status;
  status.dataset.jobId = job.id;
  let text = `${JOB_STATUS[job.status]} — ${p.done}/${p.total} ${p.total === 1 ? "fichier" : "fichiers"}`;
  if (p.current_file) text += ` · ${p.current_file}`;
  if (p.current_ocr) text += ` (OCR, page ${p.current_ocr.done + 1}/${p.current_ocr.total})`;
  if (p.failed) text += ` · ${p.failed} en erreur`;
  if (p.cancelled) text += ` · ${p.cancelled} non importé(s)`;
  if (job.error) text += ` · ${job.error}`;
  status.textContent = text;
  const heads = { done: "Import terminé", failed: "Import terminé", cancelled: "Import annulé" };
  $("#job .job-head strong").textContent = heads[job.status] || "Import en cours";
  $("#job-cancel").hidden = !unfinished(job);
  $("#job-files").replaceChildren(...job.files.map(fileLine));
}

const unfinished = (job) => job.status === "queued" || job.status === "running";

// Cancelled, a job's file being ingested still finishes (stored whole): followed until it has.
async function cancelJob() {
  const id = $("#job-status").dataset.jobId;
  $("#job-cancel").disabled = true;
  try {
    renderJob(await api(`/jobs/${encodeURIComponent(id)}/cancel`, { method: "POST", headers: apiKeyHeaders() }));
  } catch (err) {
    $("#job-status").textContent = err.message;
  } finally {
    $("#job-cancel").disabled = false;
    pollJob(id);
  }
}

async function pollJob(id) {
  clearTimeout(pollTimer);
  try {
    const job = await api(`/jobs/${encodeURIComponent(id)}`);
    renderJob(job);
    if (unfinished(job) || job.files.some((f) => f.status === "running")) {
      pollTimer = setTimeout(() => pollJob(id), 700);
    } else {
      refreshStatus();
      loadOrganisms();
      loadJobs();
    }
  } catch (err) {
    $("#job-status").textContent = err.message;
    pollTimer = setTimeout(() => pollJob(id), 2000);
  }
}

async function uploadFiles(event) {
  event.preventDefault();
  const files = chosenFiles();
  if (!files.length) return;
  const key = $("#api-key").value.trim();
  if (key) localStorage.setItem("ancols-api-key", key); else localStorage.removeItem("ancols-api-key");
  const form = new FormData();
  files.forEach((f) => form.append("files", f, f.name));
  $("#upload-btn").disabled = true;
  try {
    const job = await api("/jobs", { method: "POST", body: form, headers: apiKeyHeaders() });
    renderJob(job);
    $("#files").value = "";
    showChosen();
    pollJob(job.id);
  } catch (err) {
    $("#job").hidden = false;
    $("#job-status").dataset.status = "failed";
    $("#job-status").textContent = err.message;
    $("#upload-btn").disabled = false;
  }
}

async function loadJobs() {
  try {
    const body = await api("/jobs?limit=10");
    $("#jobs").replaceChildren(...body.jobs.map((j) => el("li", {},
      el("span", { class: `st ${j.status}`, text: JOB_STATUS[j.status] }),
      el("span", { text: `${j.files.map((f) => f.filename).join(", ")}` }),
      el("span", { class: "muted", text: `${j.progress.done - j.progress.failed}/${j.progress.total} importé(s) · ${j.created_at.replace("T", " ").replace("Z", " UTC")}` }))));
    if (!body.jobs.length) $("#jobs").replaceChildren(el("li", { class: "muted", text: "Aucun import pour l'instant." }));
  } catch (err) {
    $("#jobs").replaceChildren(el("li", { class: "error", text: err.message }));
  }
}

/* ------------------------------------------------------------------ assistant (chat) */
const conversation = [];

function parseSSE(buffer, onEvent) {
  // Returns what is left after the last complete event (events end with a blank line).
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop();
  for (const block of blocks) {
    let event = "message";
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length) onEvent(event, JSON.parse(data.join("\n")));
  }
  return rest;
}

function citedParagraphs(text, citations) {
  const byN = new Map(citations.map((c) => [c.n, c]));
  return text.split(/\n{2,}/).filter((p) => p.trim()).map((paragraph) => {
    const p = el("p");
    let at = 0;
    for (const m of paragraph.matchAll(/\[(\d+)\]/g)) {
      p.append(paragraph.slice(at, m.index));
      const c = byN.get(Number(m[1]));
      p.append(c ? el("a", {
        class: "cite", href: segmentLink(c.segment_id),
        title: `${KIND_LABELS[c.kind]} — ${whereText(c)}`, text: m[1],
      }) : m[0]);
      at = m.index + m[0].length;
    }
    p.append(paragraph.slice(at));
    return p;
  });
}

function sourcesBlock(citations) {
  if (!citations.length) return null;
  return el("details", { class: "sources", open: true },
    el("summary", { text: `Sources (${citations.length})` }),
    citations.map((c) => el("div", { class: "source" },
      el("span", { class: "num", text: `[${c.n}]` }),
      el("div", {},
        el("div", { class: "where" }, kindBadge(c.kind),
          el("a", { href: segmentLink(c.segment_id), text: whereText(c) || c.document_id })),
        el("div", { class: "excerpt", text: c.text.length > 240 ? c.text.slice(0, 240).trim() + "…" : c.text })))));
}

function addMessage(role, content) {
  const bubble = el("div", { class: "bubble" });
  if (content) bubble.textContent = content;
  const msg = el("div", { class: `msg ${role}` }, bubble);
  $("#chat-log").append(msg);
  msg.scrollIntoView({ block: "end" });
  return bubble;
}

async function sendChat(event) {
  event.preventDefault();
  const input = $("#chat-input");
  const question = input.value.trim();
  if (!question) return;
  input.value = "";
  conversation.push({ role: "user", content: question });
  const asked = addMessage("user", question).parentElement;
  const bubble = addMessage("assistant", "");
  const answer = el("div", { class: "answer typing" });
  bubble.append(answer);
  $("#chat-send").disabled = true;
  const filters = {};
  if ($("#chat-kind").value) filters.kind = [$("#chat-kind").value];
  if ($("#chat-organism").value) filters.organism = [$("#chat-organism").value];
  let text = "";
  let citations = [];
  let done = null;
  try {
    const response = await request("/chat", {
      method: "POST", headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ messages: conversation, filters, k: 8, stream: true }),
    });
    if (!response.ok) {
      throw new Error(errorText(await response.json().catch(() => null), response.status));
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    const onEvent = (name, data) => {
      if (name === "delta") { text += data.text; answer.textContent = text; }
      else if (name === "reset") { text = ""; answer.textContent = ""; }
      else if (name === "citations") citations = data.citations;
      else if (name === "done") done = data;
    };
    for (;;) {
      const { value, done: finished } = await reader.read();
      if (finished) break;
      buffer = parseSSE(buffer + decoder.decode(value, { stream: true }), onEvent);
      $("#chat-log").scrollTop = $("#chat-log").scrollHeight;
    }
    parseSSE(buffer + decoder.decode() + "\n\n", onEvent);
    answer.classList.remove("typing");
    answer.replaceChildren(...citedParagraphs(text, citations));
    const sources = sourcesBlock(citations);
    if (sources) bubble.append(sources);
    if (done && done.llm_error) {
      bubble.append(el("p", { class: "note warn", text: `Le modèle de langue n'a pas pu répondre (${done.llm_error}) : voici la réponse construite à partir des passages.` }));
    } else if (done && done.generated_by === "llm") {
      bubble.append(el("p", { class: "note", text: "Réponse rédigée par le modèle de langue à partir des passages cités." }));
    }
    bubble.dataset.done = "true";
    conversation.push({ role: "assistant", content: text });
  } catch (err) {
    answer.classList.remove("typing");
    answer.replaceChildren(el("span", { class: "error", text: err.message }));
    bubble.dataset.done = "error";
    conversation.pop();
  } finally {
    $("#chat-send").disabled = false;
    // Show the question and the start of its answer (the answer may be longer than the panel).
    const log = $("#chat-log");
    const top = asked.getBoundingClientRect().top - log.getBoundingClientRect().top + log.scrollTop - 8;
    log.scrollTop = bubble.offsetHeight + asked.offsetHeight > log.clientHeight ? top : log.scrollHeight;
  }
}

// The organism menus (search, assistant) hold every stored document's organism, not a search's facets: those count
// under the filters, so once an organism is chosen they name it alone. Asked at start, after an import and each time
// the chat is shown (uploads and deletions elsewhere change them); the server's ETag is the store's version, so an
// unchanged list costs a 304.
async function loadOrganisms() {
  try {
    const { organisms } = await api("/organisms");
    ["#f-organism", "#chat-organism"].forEach((sel) => fillSelect($(sel), organisms, (o) => o));
  } catch (err) { /* the menus keep what they hold */ }
}

/* ------------------------------------------------------------------ start */
function init() {
  $("#search-form").addEventListener("submit", (e) => { e.preventDefault(); runSearch(); });
  Object.values(filterSelects).forEach((sel) => $(sel).addEventListener("change", () => runSearch()));
  $("#mode").addEventListener("change", () => runSearch());
  $("#grain").addEventListener("change", () => runSearch());
  $("#f-reset").addEventListener("click", () => { Object.values(filterSelects).forEach((s) => { $(s).value = ""; }); runSearch(); });

  $("#doc-text").addEventListener("click", (e) => {
    const seg = e.target.closest(".seg");
    if (seg) selectSegment(Number(seg.dataset.pos), false);
  });
  $("#doc-text").addEventListener("keydown", segmentKey);

  $("#files").addEventListener("change", showChosen);
  const zone = $("#dropzone");
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    $("#files").files = e.dataTransfer.files;
    showChosen();
  });
  $("#upload-form").addEventListener("submit", uploadFiles);
  $("#job-cancel").addEventListener("click", cancelJob);
  $("#api-key").value = localStorage.getItem("ancols-api-key") || "";

  $("#chat-form").addEventListener("submit", sendChat);
  $("#chat-input").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("#chat-form").requestSubmit(); }
  });
  $("#chat-clear").addEventListener("click", () => {
    conversation.length = 0;
    $("#chat-log").replaceChildren($("#chat-log .intro") || "");
  });

  window.addEventListener("hashchange", route);
  window.addEventListener("popstate", () => { if (location.search.slice(1) !== shownSearch) restoreSearch(); });
  fillSelect($("#f-theme"), Object.keys(THEME_LABELS), themeLabel);
  route();
  searchIntro = $("#results .empty");
  restoreSearch();
  refreshStatus();
  loadOrganisms();
}

document.addEventListener("DOMContentLoaded", init);
