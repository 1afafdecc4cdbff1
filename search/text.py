"""How search reads text, the same way for a query, a ticket and an article.

Words are folded (case, accents, French elision: « l'erreur » is « erreur »), stop
words are dropped, and each word is compared by its light stem (Snowball French and
English): « licences » finds « licence », "licensing" finds "license". Error codes
(``-15.570.0``, ``-96``, ``1603``) and versions (``2026``, ``2026.1``) stay whole and
weigh more than words. A query becomes a list of *concepts*: one per word or code,
each with its alternatives (the synonyms of :mod:`search.synonyms`, e.g. ACAD =
AutoCAD, « hors ligne » = offline). An article matches a concept when one of the
alternatives is in its title, summary or body; :func:`concept_coverage` says where.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

# A Snowball stemmer keeps the word it works on in itself: shared by the threads of
# a server, two searches at once corrupt each other's word (IndexError). One pair
# per thread.
_stemmers = threading.local()


def _stem_with(language: str, token: str) -> str:
    stemmer = getattr(_stemmers, language, None)
    if stemmer is None:
        stemmer = snowballstemmer.stemmer(language)
        setattr(_stemmers, language, stemmer)
    return stemmer.stemWord(token)


ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)['’]", re.I)
# A code (-15.570.0, 0015.111, -96), a version (2026.1) or a word (adskflex.opt,
# lic01, civil3d). Hyphenated words are split (pare-feu: pare, feu).
TOKEN = re.compile(r"-?\d+(?:\.\d+)+|-\d+\b|\w+(?:\.\w+)*")
VERSION = re.compile(r"^20\d\d(?:\.\d+)?$")

# French and English function words, and what tickets say around the question
# (greetings, politeness, "how to"): they match everything, so they count for nothing.
STOP_WORDS = frozenset(
    """
    a à au aux avec ce ces cet cette dans de des du elle en et eux il ils je la le les
    leur lui ma mais me même mes moi mon ne nos notre nous on ou où par pas pour qu que
    qui sa se ses son sur ta te tes toi ton tu un une vos votre vous y est sont ai as
    avons avez ont suis été être avoir fait faire plus moins très tout tous toute
    toutes sans sous entre depuis comme alors aussi donc car si non oui ni dont
    bonjour bonsoir merci cordialement cdt salutations bien bonne journée soirée
    madame monsieur mme mr mlle svp stp possible besoin aide aider pouvez pourriez
    pouvons peut peux comment quoi quel quelle quels quelles pourquoi quand
    the an and or of to in on at for with by from is are was be been has have had
    do does did not no it its this that these those we you they he she i my our your
    their can could would should will please thanks thank hello hi dear regards best
    kind how what why when which who any some there here
    """.split()
)
# Words so common in a support knowledge base that they hardly tell articles apart.
GENERIC_WORDS = frozenset(
    """
    erreur error probleme problem message autodesk logiciel poste postes utilisateur
    utilisateurs fichier fichiers marche fonctionne plus lancer lancement demarrage
    """.split()
)


def fold(text: str) -> str:
    """Lowercase, accents removed, French elision dropped."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return ELISION.sub("", folded)


def synonym_key(term: str) -> str:
    """A synonym's form as :func:`analyse` meets it: folded, without stop words."""
    return " ".join(t for t in words(term) if t not in STOP_WORDS)


def words(text: str) -> list[str]:
    """The folded tokens of ``text`` (codes and versions whole), stop words kept."""
    return TOKEN.findall(fold(text))


def is_code(token: str) -> bool:
    return (
        token.startswith("-")
        or ("." in token and token.replace(".", "").isdigit())
        or (token.isdigit() and len(token) >= 3)
    )


def code_key(token: str) -> str:
    """-96 and 96 are the same code once found in a text."""
    return token.lstrip("-")


@lru_cache(maxsize=100_000)  # pure, and Snowball in Python is slow
def stem(token: str) -> str:
    """The light French stem of a folded word (at least its first 3 letters)."""
    return _stem_with("french", token) if len(token) > 3 else token


@lru_cache(maxsize=50_000)
def keys(token: str) -> frozenset[str]:
    """What a token is compared by: its French and English stems, or the code."""
    if is_code(token):
        return frozenset({"#" + code_key(token)})
    return frozenset(
        {_stem_with("french", token), "en:" + _stem_with("english", token)}
    )


@lru_cache(maxsize=2048)
def text_keys(text: str) -> frozenset[str]:
    """The keys of every word of ``text`` (an article's fields are read again by the
    next search: kept for the most recent texts of this process)."""
    return frozenset().union(*(keys(token) for token in words(text)))


@dataclass(frozen=True)
class Alternative:
    """One way of saying a concept: its words, all present in a field to match."""

    text: str
    keys: tuple[frozenset[str], ...]

    def found_in(self, field_keys: frozenset[str]) -> bool:
        return all(word_keys & field_keys for word_keys in self.keys)


@dataclass
class Concept:
    """A word, code or synonym group of the query, with how much it weighs."""

    text: str
    alternatives: list[Alternative]
    kind: str = "word"  # "word", "code", "version", "generic"
    weight: float = 1.0
    from_subject: bool = False

    @property
    def texts(self) -> list[str]:
        return [alternative.text for alternative in self.alternatives]


def alternative(text: str) -> Alternative:
    return Alternative(text, tuple(keys(token) for token in words(text)))


@dataclass
class Analysis:
    """A query read as concepts (see the module docstring)."""

    text: str
    concepts: list[Concept] = field(default_factory=list)

    @property
    def distinctive(self) -> list[Concept]:
        """The concepts that tell articles apart (not generic words)."""
        return [c for c in self.concepts if c.kind != "generic"] or self.concepts

    @property
    def required(self) -> int:
        """How many distinctive concepts an answer must hold (minimum should match):
        all of one or two, then all but one, then three quarters."""
        return required_of(len(self.distinctive))

    @property
    def codes(self) -> list[Concept]:
        return [c for c in self.concepts if c.kind == "code"]


def required_of(n: int) -> int:
    if n <= 2:
        return n
    if n <= 4:
        return n - 1
    return max(3, round(0.75 * n))


KIND_WEIGHTS = {"code": 3.0, "version": 1.5, "word": 1.0, "generic": 0.4}


def analyse(
    text: str,
    synonyms: Mapping[str, tuple[str, ...]] | None = None,
    *,
    limit: int = 12,
) -> Analysis:
    """``text`` as concepts: stop words dropped, synonym groups (longest first, up to
    three words) merged into one concept, repeated words counted once."""
    synonyms = synonyms or {}
    tokens = [t for t in words(text) if t not in STOP_WORDS]
    analysis = Analysis(text)
    seen: set[frozenset[str]] = set()
    i = 0
    while i < len(tokens):
        size = 1
        for n in (3, 2):
            if i + n <= len(tokens) and " ".join(tokens[i : i + n]) in synonyms:
                size = n
                break
        phrase = " ".join(tokens[i : i + size])
        group = synonyms.get(phrase)
        i += size
        token = phrase
        kind = (
            "version"
            if size == 1 and VERSION.match(token)
            else "code"
            if size == 1 and is_code(token)
            else "generic"
            if token in GENERIC_WORDS
            else "word"
        )
        if size == 1 and len(token) < 2:
            continue
        texts = [phrase, *(g for g in (group or ()) if g != phrase)]
        identity = frozenset(
            frozenset().union(*alternative(t).keys) for t in texts if words(t)
        )
        if identity in seen:
            continue
        seen.add(identity)
        analysis.concepts.append(
            Concept(
                text=phrase,
                alternatives=[alternative(t) for t in texts if words(t)],
                kind=kind,
                weight=KIND_WEIGHTS[kind],
            )
        )
        if len(analysis.concepts) >= limit:
            break
    return analysis


# Matching an article ---------------------------------------------------------------

FIELD_WEIGHTS = {"title": 3.0, "summary": 2.0, "body": 1.0}


@dataclass
class Coverage:
    """Which concepts an article holds, and a score from where it holds them."""

    matched: int  # distinctive concepts held
    score: float
    in_title: int
    codes: int = 0  # error codes held


def concept_coverage(
    analysis: Analysis, fields: Mapping[str, frozenset[str]]
) -> Coverage:
    """How well an article (its ``fields``' keys: title, summary, body) holds the
    query's concepts: each concept counts once, at the weight of the best field
    that holds it, times its own weight (codes most, generic words least)."""
    matched = in_title = codes = 0
    score = 0.0
    for concept in analysis.concepts:
        best = 0.0
        for name, weight in FIELD_WEIGHTS.items():
            keys_ = fields.get(name, frozenset())
            if any(alt.found_in(keys_) for alt in concept.alternatives):
                best = max(best, weight)
        if best == 0.0:
            best = 0.5 * _near_miss(concept, fields)
        if best:
            matched += concept.kind != "generic"
            codes += concept.kind == "code"
            in_title += best == FIELD_WEIGHTS["title"]
            score += best * concept.weight
    return Coverage(matched, score, in_title, codes)


def _near_miss(concept: Concept, fields: Mapping[str, frozenset[str]]) -> float:
    """A misspelt word (one letter off, two for long words) found in a field: the
    weight of that field, else 0. Codes and short words must be exact."""
    if concept.kind in ("code", "version") or len(concept.text) < 5:
        return 0.0
    if not concept.text.isalpha():  # several words, or a name with digits
        return 0.0
    best = 0.0
    budget = 1 if len(concept.text) < 9 else 2
    stemmed = stem(concept.text)  # the fields hold stems
    for name, weight in FIELD_WEIGHTS.items():
        if weight <= best:
            continue
        for key in fields.get(name, ()):
            if abs(len(key) - len(stemmed)) > budget or key.startswith(("en:", "#")):
                continue
            if within_edits(stemmed, key, budget):
                best = weight
                break
    return best


@lru_cache(maxsize=100_000)  # the same words meet again in the next article
def within_edits(a: str, b: str, budget: int) -> bool:
    """Levenshtein distance of ``a`` and ``b`` is at most ``budget`` (banded)."""
    if abs(len(a) - len(b)) > budget:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        low = budget + 1
        for j, cb in enumerate(b, 1):
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)
            )
            low = min(low, current[j])
        if low > budget:
            return False
        previous = current
    return previous[-1] <= budget


def adjacent_pairs(analysis: Analysis, title: str) -> int:
    """How many consecutive word pairs of the query follow each other in ``title``
    (a phrase, in the query's order): the proximity boost."""
    title_keys = [keys(t) for t in words(title) if t not in STOP_WORDS]
    query_keys = [
        c.alternatives[0].keys[0]
        for c in analysis.concepts
        if c.alternatives and len(c.alternatives[0].keys) == 1
    ]
    pairs = 0
    for first, second in zip(query_keys, query_keys[1:], strict=False):
        for a, b in zip(title_keys, title_keys[1:], strict=False):
            if first & a and second & b:
                pairs += 1
                break
    return pairs


# Tickets ---------------------------------------------------------------------------

_GREETING = re.compile(
    r"^\s*(bonjour|bonsoir|hello|hi|dear|salut|madame|monsieur)\b[^\n]*$", re.I
)
# The line from which the rest is a signature, a quoted reply or a disclaimer.
_CUT = re.compile(
    r"^\s*(?:--\s*$|-{3,}|_{3,}|>|de\s*:|from\s*:|envoy[ée]\s*:|sent\s*:|"
    r"le .{3,80} a [ée]crit\s*:|on .{3,80} wrote\s*:|"
    r"-+\s*(?:message d'origine|original message)|"
    r"(?:bien )?cordialement|bien [àa] vous|bonne (?:journ[ée]e|soir[ée]e)|"
    r"merci(?: d'avance| par avance| de votre aide| pour votre aide)?\s*[,.!]?\s*$|"
    r"(?:best|kind|warm) regards|regards\s*,?\s*$|"
    r"thanks\s*,?\s*$|thank you\s*[,.!]?\s*$|"
    r"sent from my|envoy[ée] de mon|"
    r"ce (?:message|courriel|mail|e-mail)[^\n]*confidentiel|avertissement\s*:|"
    r"this e-?mail[^\n]*confidential|p\.?\s?s\.?\s*:)",
    re.I,
)


def ticket_text(subject: str, description: str | None) -> tuple[str, str]:
    """(subject, the description's question): greetings dropped, and everything from
    the signature, a quoted reply or a disclaimer on (French and English)."""
    subject = re.sub(r"^\s*(?:(?:re|tr|fw|fwd)\s*:\s*)+", "", subject, flags=re.I)
    subject = re.sub(r"\[[^\]]*\]", " ", subject)  # [Ticket #4812]
    kept = []
    for line in (description or "").splitlines():
        if _CUT.match(line):
            break
        if _GREETING.match(line) and len(line) < 40:
            continue
        kept.append(line)
    return subject.strip(), "\n".join(kept).strip()


def merge(subject: Analysis, description: Analysis, *, limit: int) -> Analysis:
    """A ticket's concepts: the subject's first (they weigh more), then the
    description's codes, versions and words, up to ``limit``."""
    merged = Analysis(f"{subject.text}\n{description.text}")
    seen: set[str] = set()
    for concept in subject.concepts:
        concept.from_subject = True
        concept.weight *= 1.5
        merged.concepts.append(concept)
        seen.add(concept.text)
    rest = [c for c in description.concepts if c.text not in seen]
    rest.sort(key=lambda c: -KIND_WEIGHTS[c.kind])
    for concept in rest:
        if len(merged.concepts) >= limit:
            break
        merged.concepts.append(concept)
    return merged


def field_keys(title: str, summary: str, body: Iterable[str]) -> dict:
    return {
        "title": text_keys(title),
        "summary": text_keys(summary),
        "body": text_keys("\n".join(body)),
    }
