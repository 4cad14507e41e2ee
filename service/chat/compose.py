"""The offline answer: the retrieved passages, quoted and grouped, every sentence cited.

Passages are grouped by organism (or by document when the organism is unknown), groups in
the order of their best passage; inside a group come what the control found (observations),
what it recommended, what the organism answered, then anything else. Each sentence quotes
one passage's most relevant sentence and ends with its marker ``[n]``, where ``n`` is the
passage's position in the citations (numbered in the order they appear in the answer).
"""

from __future__ import annotations

import re

from ancols_nlp.index.analyzer import analyze
from ancols_nlp.service.chat.retrieval import Passage

KIND_ORDER = ("observation", "recommendation", "rebuttal", "other")
SENTENCE_END = re.compile(r"(?<=[.!?…;])(?<!\b[A-Z]\.)(?<!\bMM\.)(?<!\bMme\.)(?<!\bcf\.)(?<!\bart\.)(?<!\bp\.)"
                          r"\s+(?=[«\"(\[A-ZÀ-ÖØ-Ý0-9•▶–-])")
LEAD = re.compile(r"^[\s\-–—•▶►■●*#>|]+")
MAX_QUOTE = 280

NOTHING_FOUND = ("Je n'ai trouvé dans les documents indexés aucun passage qui réponde à « {q} ». "
                 "Essayez d'autres mots ou retirez des filtres.")

# (first sentence of a group, next sentences of the same kind…); {who} is the group's label.
PHRASES = {
    ("report", "observation"): ("Pour {who}, le contrôle constate : {quote}", "Il relève aussi : {quote}",
                                "Il note également : {quote}", "Il observe encore : {quote}"),
    ("report", "recommendation"): ("Pour {who}, le contrôle recommande : {quote}",
                                   "Il demande aussi : {quote}", "Il recommande également : {quote}"),
    ("report", "rebuttal"): ("Pour {who}, l'organisme répond : {quote}",
                             "Il ajoute : {quote}", "Il précise également : {quote}"),
    ("report", "other"): ("Pour {who}, le rapport indique : {quote}", "Il indique aussi : {quote}"),
    ("reply", "observation"): ("Pour {who}, la lettre de réponse indique : {quote}", "Elle indique aussi : {quote}"),
    ("reply", "recommendation"): ("Pour {who}, la lettre de réponse indique : {quote}",
                                  "Elle indique aussi : {quote}"),
    ("reply", "rebuttal"): ("Pour {who}, l'organisme répond : {quote}",
                            "Il ajoute : {quote}", "Il précise également : {quote}"),
    ("reply", "other"): ("Pour {who}, la lettre de réponse indique : {quote}", "Elle indique aussi : {quote}"),
}
FIRST_OF_KIND = {
    ("report", "observation"): "Le contrôle constate : {quote}",
    ("report", "recommendation"): "Le contrôle recommande : {quote}",
    ("report", "rebuttal"): "L'organisme répond : {quote}",
    ("report", "other"): "Le rapport indique : {quote}",
    ("reply", "observation"): "La lettre de réponse indique : {quote}",
    ("reply", "recommendation"): "La lettre de réponse indique : {quote}",
    ("reply", "rebuttal"): "L'organisme répond : {quote}",
    ("reply", "other"): "La lettre de réponse indique : {quote}",
}
ANSWERING = "En réponse au passage {refs}, l'organisme indique : {quote}"
# When the question asks for a kind (``ChatQuery.kinds``) and no passage found is of it: said before the nearest ones.
NONE_OF_KIND = {"observation": "Aucun constat", "recommendation": "Aucune recommandation",
                "rebuttal": "Aucune réponse de l'organisme"}
NONE_FOUND = "{none} ne porte sur « {q} » dans les documents indexés ; voici les passages les plus proches."
MARKUP = re.compile(r"<[^>]{1,40}>|&[a-z]{2,6};|[$^{}_\\]")
LATEX_COMMAND = re.compile(r"\\[a-zA-Z]+\{([^}]*)\}")


def group_label(p: Passage) -> str:
    meta = p.meta
    organism = meta.get("organism")
    number = meta.get("report_number")
    if organism and number:
        return f"{organism} (rapport n° {number})"
    if organism:
        return organism
    if number:
        return f"le rapport n° {number}"
    name = p.doc.filename or p.row.document_id
    return f"le document « {name} »"


def group_key(p: Passage) -> str:
    organism = (p.meta.get("organism") or "").casefold()
    return f"org:{organism}" if organism else f"doc:{p.row.document_id}"


def clean(text: str) -> str:
    text = text.replace("**", "").replace("__", "").replace("*", "")
    text = " ".join(MARKUP.sub(" ", LATEX_COMMAND.sub(r"\1", text)).split())
    text = LEAD.sub("", text)
    return text.replace("[", "(").replace("]", ")").replace("«", "“").replace("»", "”")


def _prose(sentence: str) -> float:
    """Share of letters and spaces: tables, formulas and codes score low."""
    return sum(c.isalpha() or c.isspace() for c in sentence) / max(1, len(sentence))


def best_sentence(text: str, query_terms: set[str]) -> str:
    """The passage's sentence that shares most words with the query (prose first, then the earliest), trimmed."""
    raw = [s for s in SENTENCE_END.split(text) if s.strip()] or [text]
    sentences = [s for s in (clean(s) for s in raw) if s] or [clean(text) or text.strip()]
    scored = [(len(query_terms & set(analyze(s))), _prose(s) > 0.75, -i, s) for i, s in enumerate(sentences)]
    sentence = max(scored)[3]
    sentence = sentence.rstrip(" .;:,")
    if len(sentence) > MAX_QUOTE:
        cut = sentence[:MAX_QUOTE].rsplit(" ", 1)[0].rstrip(" .;:,")
        sentence = cut + "…"
    return sentence


def _words(text: str) -> set[str]:
    return set(analyze(text))


def _same(a: set[str], b: set[str]) -> bool:
    common = len(a & b)
    return common >= 0.6 * len(a | b) or (min(len(a), len(b)) >= 6 and common >= 0.9 * min(len(a), len(b)))


def assign_quotes(passages: list[Passage], query_text: str) -> list[Passage]:
    """Give each passage its quote; drop a passage whose quote repeats an earlier one (near duplicates)."""
    query_terms = _words(query_text)
    kept: list[Passage] = []
    seen: list[set[str]] = []
    for p in passages:
        p.quote = best_sentence(p.row.text, query_terms)
        words = _words(p.quote)
        if words and any(_same(words, other) for other in seen):
            continue
        seen.append(words)
        kept.append(p)
    return kept


def order_passages(passages: list[Passage]) -> list[list[Passage]]:
    """Groups (by organism/document, in order of best passage), each ordered by kind then rank."""
    groups: dict[str, list[Passage]] = {}
    for p in passages:
        groups.setdefault(group_key(p), []).append(p)
    ordered = []
    for members in groups.values():
        rank = {id(p): i for i, p in enumerate(members)}
        members.sort(key=lambda p: (KIND_ORDER.index(p.kind) if p.kind in KIND_ORDER else 9,
                                    p.row.document_id, rank[id(p)]))
        ordered.append(members)
    return ordered


def number(passages: list[Passage]) -> list[Passage]:
    """The passages in answer order, numbered from 1 (the order of ``citations``)."""
    out = [p for group in order_passages(passages) for p in group]
    for n, p in enumerate(out, 1):
        p.n = n
    return out


def offline_answer(passages: list[Passage], query_text: str, kinds: tuple[str, ...] = ()) -> list[str]:
    """The answer as paragraphs (one per group, one sentence a line); ``passages`` must be quoted and numbered.
    ``kinds``: those the question asks for; when no passage is of one, a first paragraph says so (no marker: it
    cites nothing), so that the findings that follow are not read as the organism's answer."""
    if not passages:
        return [NOTHING_FOUND.format(q=query_text)]
    by_segment = {p.segment_id: p for p in passages}
    asked = [k for k in kinds if k in NONE_OF_KIND]
    paragraphs = []
    if asked and not {p.kind for p in passages} & set(asked):
        paragraphs.append(NONE_FOUND.format(none=NONE_OF_KIND[asked[0]], q=query_text))
    for group in order_passages(sorted(passages, key=lambda p: p.n)):
        sentences = []
        previous_kind, repeat = None, 0
        who = group_label(group[0])
        for i, p in enumerate(group):
            doc_type = "reply" if p.meta.get("doc_type") == "reply" else "report"
            quote = f"« {p.quote or best_sentence(p.row.text, _words(query_text))} »"
            answered = [by_segment[s].n for s in _responds_to(p) if s in by_segment and by_segment[s].n < p.n]
            phrases = PHRASES[(doc_type, p.kind)]
            repeat = repeat + 1 if p.kind == previous_kind else 0
            if i == 0:
                template = phrases[0].replace("{who}", who)
            elif p.kind == "rebuttal" and answered:
                template = ANSWERING.replace("{refs}", "".join(f"[{a}]" for a in answered))
            elif repeat:
                template = phrases[1 + (repeat - 1) % (len(phrases) - 1)]
            else:
                template = FIRST_OF_KIND[(doc_type, p.kind)]
            sentences.append(template.replace("{quote}", quote) + f" [{p.n}].")
            previous_kind = p.kind
        paragraphs.append("\n".join(sentences))
    return paragraphs


def _responds_to(p: Passage) -> list[str]:
    doc = p.row.document_id
    return [f"{doc}:{s}" for s in p.row.responds_to]
