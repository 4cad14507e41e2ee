"""From a conversation to the passages an answer may use.

The search query is the last user message with its conversational frame removed ("que dit le
contrôle sur…", "qu'a répondu l'organisme…"); a short follow-up ("et l'organisme, qu'a-t-il
répondu ?") is completed with the previous user turn's query, itself completed, so a chain of follow-ups keeps
the topic and organism of the turn that named them. Words that ask for a kind of passage
(``pipelines/french/intents.toml``, the list search uses too: répondu → rebuttal,
recommandations → recommendation, constats → observation) make those passages come first. An organism the
question names, and a report it names by number ("le rapport n° 2016-051"), filter the passages. Only
passages that share enough words with the query (a word's synonym phrase or accented spelling, as the search reads
it, standing for the word: "CAO", "commission d'appel d'offres"), or are close enough in meaning, are kept; table
rows, headings and footnotes are left out. A number is no word a passage must share (a year says when, not what):
"vacance en 2019" is answered from the passages on vacancy, and a year the reports write does not make a question
on something else relevant. A question naming what no stored passage writes ("le budget de la ville de Lyon")
asks about what the reports do not hold: nothing is cited. A finding is completed with the organism's linked
answer, and an answer with the finding it answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from ancols_nlp.index.analyzer import TOKEN, analyze, query_kinds
from ancols_nlp.index.expansion import Phrase, expand
from ancols_nlp.index.query import Filters
from ancols_nlp.index.passages import passage_context
from ancols_nlp.index.query_intents import frame_terms, mentioned_organisms, mentioned_reports
from ancols_nlp.pipelines import french
from ancols_nlp.pipelines.organism_names import spellings
from ancols_nlp.index.records import DocumentRef, SegmentRow
from ancols_nlp.service.organisms import stored
from ancols_nlp.service.runtime import Runtime

LEFT_OUT_BLOCKS = {"heading", "rule", "table_row", "footnote"}
MIN_CHARS = 30
SHORT_FOLLOW_UP = 2  # content terms below which the previous user turn is added
SENTENCE_START = ".!?…:«\"(\n"  # after these a capital starts a sentence, a quote or a line, not a name
BULLETS = " \t\r\u00a0-–—•◦▪·*"  # what may stand between a line's start and its first word ("- ", "• "): a list item


def content_words(text: str) -> str:
    """``text`` without its question frame: the words that say what it is about, without their elided article (no
    word to search: "vacance d'Espace Domicile" asks for all the passages of Espace Domicile, ``mentioned_organisms``
    reads the name with or without it)."""
    frame = frame_terms()
    kept = []
    for match in TOKEN.finditer(text):
        terms = analyze(match.group())
        if terms and not all(t in frame for t in terms):
            kept.append(french.ELISION.sub("", match.group()))
    return " ".join(kept)


def known_organisms(runtime: Runtime) -> list[str]:
    """Organism names of the stored documents."""
    return runtime.store.organisms()


def report_documents(runtime: Runtime) -> Callable[[str], list[str]]:
    """The ids of the stored documents carrying a report number (``report_number``, as the report's title writes
    it), by number (without their texts)."""
    return lambda number: [row.id for row in runtime.store.meta.find_by_meta("report_number", number, with_text=False)]


@dataclass(frozen=True)
class ChatQuery:
    text: str  # what is searched
    question: str  # the last user message, as asked
    kinds: tuple[str, ...] = ()  # kinds the question asks for, first
    organisms: tuple[str, ...] = ()  # organisms the question names (used as a filter)
    documents: tuple[str, ...] = ()  # stored documents of the reports the question names by number (a filter)
    # The question names organisms or reports and asks nothing else of them ("Quelles recommandations pour LOGIDIA
    # ?"): every passage of theirs is about them, though few write their name (which is then all there is to search).
    named_only: bool = False
    names: tuple[str, ...] = ()  # words the question writes as names (``names``): "Lyon" in "le budget de Lyon"


def names(text: str) -> tuple[str, ...]:
    """The words ``text`` capitalises where no sentence, line nor list item starts ("Lyon", "d'Annecy", "D'Annecy",
    not "Quel" nor "Comparer", nor "Impayés" after "- "): names. A title ("Mme", "Président": ``titles.txt``) is
    none: it stands before a name or for a person the reports name by their office. An acronym of the thesaurus
    ("EPCI", "CALEOL") is a word of the reports' domain, not a name: the passages may write it in full or not at
    all, as they may any common word (an acronym the stored documents define, ``acronyms.py``, is written in their
    passages). A text typed in capitals throughout names nothing so."""
    if not any(c.islower() for c in text):
        return ()
    found = []
    last, read = "", 0  # the last character before the word but bullets ("" at the text's start), read up to `read`
    for match in TOKEN.finditer(text):  # each character read once: the text before each word was sliced again
        last, read = text[read:match.start()].rstrip(BULLETS)[-1:] or last, match.start()
        word = french.ELISION.sub("", match.group())
        if (word[:1].isupper() and last and last not in SENTENCE_START
                and french.fold(word) not in french.titles() and not expand(word).phrases):
            found.append(word)
    return tuple(found)


def no_reports(number: str) -> Iterable[str]:
    """No stored document carries a report number (``build_query`` without a store)."""
    return ()


def build_query(user_turns: list[str], organisms: list[str] = (),
                reports: Callable[[str], Iterable[str]] = no_reports) -> ChatQuery:
    """The search query for the last user turn (completed, when too short, with the previous turn's query: itself
    completed, so a chain of follow-ups keeps the topic and the organism of the turn that named them); ``reports``:
    the stored documents carrying a report number (``report_documents``)."""
    question = user_turns[-1].strip()
    documents, asked = mentioned_reports(question, reports)
    content = content_words(asked)
    kinds = query_kinds(question)
    written = names(question)
    named, rest = mentioned_organisms(content, list(organisms))
    if len(analyze(rest)) < SHORT_FOLLOW_UP and len(user_turns) > 1:
        before = build_query(user_turns[:-1], organisms, reports)
        previous_rest = "" if before.named_only else before.text  # a query naming organisms searches the rest
        named, documents = named or before.organisms, documents or before.documents
        content, rest = f"{before.text} {content}".strip(), f"{previous_rest} {rest}".strip()
        written += before.names
        kinds = kinds or before.kinds
    if named and analyze(rest):
        content = rest  # the organism becomes a filter; the query keeps what is asked about it
    text = content or " ".join(question.split())
    return ChatQuery(text=text, question=question, kinds=kinds, organisms=named, documents=documents,
                     named_only=bool(named or documents) and not analyze(rest), names=written)


def searchable(runtime: Runtime, text: str) -> bool:
    """Whether ``text`` has a word to search, as ``/search`` decides it: a term, or else (one lexical search) an
    acronym the thesaurus or the stored documents define ("CA")."""
    if analyze(text):
        return True
    lexical = replace(runtime.store.params, mode="lexical")
    return runtime.store.search(text, k=1, filters=Filters(), params=lexical).expansion.searchable


@dataclass
class Passage:
    row: SegmentRow
    doc: DocumentRef
    score: float = 0.0
    lexical: float | None = None
    dense: float | None = None
    coverage: float = 0.0
    linked: bool = False  # added because of a rebuttal link, not by the search
    n: int = 0
    quote: str = ""

    @property
    def uid(self) -> int:
        return self.row.uid

    @property
    def kind(self) -> str:
        return self.row.kind

    @property
    def segment_id(self) -> str:
        return f"{self.row.document_id}:{self.row.seq}"

    @property
    def meta(self) -> dict:
        return self.doc.meta


@dataclass(frozen=True)
class Weights:
    """The query's terms weighed (``term_weights``), and the synonym phrases each one's word brought to its search."""

    of: dict[str, float]  # each term's weight
    # A term's word's synonym phrases (analysed): the thesaurus's and the stored documents' acronyms' ("CAO" brings
    # "commission d'appel d'offres"); a passage holding one of them holds what the term names.
    phrases: dict[str, tuple[Phrase, ...]]

    def held(self, term: str, terms: set[str]) -> bool:
        """Whether a passage of analysed ``terms`` holds ``term``, or one of its phrases whole."""
        return term in terms or any(terms.issuperset(phrase) for phrase in self.phrases.get(term, ()))


def term_weights(runtime: Runtime, text: str) -> Weights:
    """Each query term's weight: the best BM25 score of its word searched alone (0 when no passage has it), and its
    word's synonym phrases (an acronym's meaning: "CAO" scores in the passages writing "commission d'appel d'offres",
    which then cover it) and accented spelling (the passages writing "impayés" cover "impayes", as the search
    respelled it: ``Expansion.respelled``).

    Rare words weigh more than common ones ("inoccupés" more than "logements"), and a word no
    stored passage contains weighs nothing, unless the search corrects it ("vacence", searched as
    "vacance", as ``/search`` names it in ``corrections``): it then stands for its correction's term, with the
    weight the search gives it, so the passages holding the correction cover it. A number is left out: it says when
    or how much, not what about, so a passage sharing only the year of "budget de Lyon en 2019" covers nothing.
    """
    store = runtime.store
    lexical = replace(store.params, mode="lexical")
    weights: dict[str, float] = {}
    phrases: dict[str, tuple[Phrase, ...]] = {}
    for match in TOKEN.finditer(text):
        terms = [t for t in analyze(match.group()) if t not in weights and not t[0].isdigit()]
        if not terms:
            continue
        outcome = store.search(match.group(), k=1, filters=Filters(), params=lexical)
        corrected = [t for _, meant in outcome.expansion.corrected for t in analyze(meant)]
        respellings = tuple(tuple(analyze(accented)) for _, accented in outcome.expansion.respelled)
        best = max((h.lexical or h.score or 0.0 for h in outcome.hits), default=0.0)
        for t in corrected or terms:
            weights.setdefault(t, float(best))
            phrases.setdefault(t, outcome.expansion.phrases + respellings)
    return Weights(weights, phrases)


def known_share(weights: dict[str, float]) -> float:
    """How much of the query the stored passages know at all (share of its terms found somewhere)."""
    return sum(w > 0 for w in weights.values()) / len(weights) if weights else 0.0


def off_corpus(weights: dict[str, float], query: ChatQuery) -> bool:
    """Whether the question is about what the stored passages do not hold: mostly words no passage contains, or a
    name none writes ("Lyon" in "le budget de la ville de Lyon": "budget" and "ville" alone answer another
    question)."""
    unknown = {t for t, w in weights.items() if w == 0}
    return known_share(weights) < 0.5 or any(set(analyze(name)) & unknown for name in query.names)


def coverage(weights: Weights, row: SegmentRow) -> float:
    """Weighted share of the query's terms that the passage (with its heading) contains (``Weights.held``)."""
    total = sum(weights.of.values())
    if total <= 0:
        return 0.0
    terms = set(analyze(passage_context(row.text, row.section_path)))
    return sum(w for t, w in weights.of.items() if weights.held(t, terms)) / total


def is_relevant(cov: float, dense: float | None) -> bool:
    dense = dense or 0.0
    return cov >= 0.6 or dense >= 0.5 or (cov >= 0.3 and dense >= 0.4)


def prose(text: str) -> float:
    """Share of letters and spaces (tables, formulas and codes score low)."""
    return sum(c.isalpha() or c.isspace() for c in text) / max(1, len(text))


def is_useful(row: SegmentRow) -> bool:
    text = row.text.strip()
    formula = "\\text{" in text or text.count("$") >= 2
    return (row.block not in LEFT_OUT_BLOCKS and len(text) >= MIN_CHARS and prose(text) >= 0.7
            and not formula)


class DocCache(dict):
    def __init__(self, runtime: Runtime):
        super().__init__()
        self.runtime = runtime

    def get_doc(self, doc_id: str) -> DocumentRef:
        if doc_id not in self:
            head = self.runtime.store.meta.document_heads([doc_id]).get(doc_id)
            self[doc_id] = head or DocumentRef(id=doc_id, filename=doc_id, meta={})
        return self[doc_id]


def retrieve(runtime: Runtime, query: ChatQuery, filters: Filters, k: int) -> list[Passage]:
    """Relevant passages, best first, then the linked findings/answers (at most k + k//2 in all)."""
    store = runtime.store
    weights = term_weights(runtime, query.text)
    if off_corpus(weights.of, query) and not query.named_only:
        return []
    docs = DocCache(runtime)
    if query.organisms and not filters.organism:  # each with its other stored spellings, as the filter takes it
        filters = replace(filters, organism=spellings(stored(store), query.organisms))
    if query.documents and not filters.document_id:
        filters = replace(filters, document_id=query.documents)
    searches = []
    if query.kinds and not filters.kind:
        searches.append(replace(filters, kind=query.kinds))
    searches.append(filters)

    chosen: dict[int, Passage] = {}
    for f in searches:
        outcome = store.search(query.text, k=max(3 * k, 20), filters=f)
        for hit in outcome.hits:
            if len(chosen) >= k:
                break
            row = outcome.rows.get(hit.id)
            if row is None or hit.id in chosen or not is_useful(row):
                continue
            cov = coverage(weights, row)
            if not (query.named_only or is_relevant(cov, hit.dense)):
                continue
            chosen[hit.id] = Passage(row=row, doc=docs.get_doc(row.document_id), score=hit.score,
                                     lexical=hit.lexical, dense=hit.dense, coverage=cov)
    passages = list(chosen.values())
    if filters.kind:  # the user asked for these kinds only
        return passages
    return passages + linked_passages(runtime, passages, docs, limit=max(1, k // 2))


def linked_passages(runtime: Runtime, passages: list[Passage], docs: DocCache, *, limit: int) -> list[Passage]:
    """For each finding, the organism's answer to it; for each answer, the finding it answers."""
    meta = runtime.store.meta
    have = {p.uid for p in passages}
    out: list[Passage] = []
    for p in passages:
        if len(out) >= limit:
            break
        doc_id, seq = p.row.document_id, p.row.seq
        if p.kind in ("observation", "recommendation"):
            candidates = meta.segments_answering(doc_id, seq)
        elif p.kind == "rebuttal":
            candidates = [meta.segment_by_seq(doc_id, s) for s in p.row.responds_to]
        else:
            continue
        for row in candidates:
            if row and row.uid not in have and is_useful(row):
                have.add(row.uid)
                out.append(Passage(row=row, doc=docs.get_doc(doc_id), linked=True))
                break
    return out
