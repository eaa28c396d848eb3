"""Paragraphs → the report's own claims, one standalone bullet each, and the lead paragraphs.

A bullet is only ever made by *deleting* words from one sentence of the page
(an attribution such as "The report argues that", a linking "Yet"/"also", an
aside, a trailing clause), then restoring a capital and a full stop. Nothing is
reworded, so nothing is added that the page does not say. Nor is a claim made
stronger than the page's: words that negate, limit or hedge it ("not", "only if",
"mostly", "in a minority of cases", "less so") are never in the part a cut or a
split leaves out; when in doubt, the sentence stays whole or gives no bullet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..text import sentences

MAX_CHARS = 200  # a bullet's length, so it fits an X post with room for numbering
MAX_CLAIMS = 10
_MAX_PARAGRAPHS = 400
_MAX_SENTENCE = 2_000  # longer "sentences" are markup debris, not claims


@dataclass(frozen=True)
class _Language:
    """The words that mark a claim, an attribution, a connector and a split, for one language."""

    verbs: re.Pattern[str]  # a sentence carrying a claim
    subject: re.Pattern[str]  # the report itself as the subject: "The report", "We"
    attribution: re.Pattern[str]  # "The report argues that " at the start, deleted
    connector: re.Pattern[str]  # "Yet ", "However, " at the start, deleted
    also: re.Pattern[str]  # "also" pointing back at the previous sentence, deleted
    fillers: re.Pattern[str]  # words whose deletion changes no fact
    but: str  # ", but " — two claims in one sentence
    not_only: str
    but_that: re.Pattern[str]  # what may follow "but" in "not only A, but (also) B"
    asides: re.Pattern[str]  # trailing clauses that may go when a bullet is too long
    and_that: re.Pattern[str]  # ", and that " after an attribution: a second claim
    qualifier: re.Pattern[str]  # a word that negates, limits or hedges a claim: never cut off, split away or weakened
    fragment: re.Pattern[str]  # an opening that makes what follows a phrase of the clause before it, not a claim
    back: re.Pattern[str]  # an opening that points back at the clause before ("this", "it"): not a claim of its own


_EN = _Language(
    verbs=re.compile(
        r"\b(?:argu(?:es?|ed)|conclud(?:es?|ed)|finds?|found|shows?|showed|shown|recommend(?:s|ed)?|requir(?:es?|ed)"
        r"|suggest(?:s|ed)?|demonstrat(?:es?|ed)|highlight(?:s|ed)?|reveal(?:s|ed)?|warn(?:s|ed)?|contend(?:s|ed)?"
        r"|calls? for|points? out|identif(?:y|ies|ied)|emphasi[sz](?:es?|ed)|stress(?:es|ed))\b",
        re.I),
    subject=re.compile(
        r"\b(?:the|this|our|these|both)\s+(?:new\s+)?(?:report|brief|policy brief|paper|working paper|study|analysis"
        r"|authors?|researchers?|findings|research)\b|\bwe\b", re.I),
    attribution=re.compile(
        r"^(?:(?:the|this|our|these)\s+(?:new\s+)?(?:report|brief|policy brief|paper|working paper|study|analysis"
        r"|authors?|researchers?|findings|research)|we|it|they)\s+(?:also\s+|further\s+)?"
        r"(?:argu(?:es?|ed)|conclud(?:es?|ed)|finds?|found|shows?|showed|demonstrat(?:es?|ed)|reveal(?:s|ed)?"
        r"|contend(?:s|ed)?|maintain(?:s|ed)?)\s+that\s+", re.I),
    connector=re.compile(
        r"^(?:yet|but|and|also|however|moreover|furthermore|in addition|nonetheless|nevertheless|still)\b,?\s+", re.I),
    also=re.compile(r"\s+also\b", re.I),
    fillers=re.compile(r",?\s+in this context,?(?=\s)|\s+very(?=\s)", re.I),
    but=", but ",
    not_only="not only ",
    but_that=re.compile(r"^(?:also\s+)?(?=that\b|to\b|\w+ing\b)", re.I),
    asides=re.compile(r"\s+[–—]\s+|\s+\(|,\s+(?:e\.g\.|i\.e\.|such as|including|which|not least)\b", re.I),
    and_that=re.compile(r",?\s+and\s+that\s+", re.I),
    qualifier=re.compile(
        r"(?<!\w)(?:only|not|no|none|never|neither|nor|without|cannot|\w+n[’']t|except|unless|if|when|whenever"
        r"|where|wherever|provided|as long as|so long as|solely|merely|at least|at most"
        # limiting and hedging words (an "-ly" adverb opening a split-off part is caught by ``fragment`` too)
        r"|mostly|mainly|largely|partly|partially|primarily|chiefly|predominantly|principally|rarely|hardly|barely"
        r"|scarcely|slightly|marginally|moderately|occasionally|relatively|fairly|possibly|probably|potentially"
        r"|arguably|exclusively|temporarily|initially|locally|seldom|less|least|fewer|few|little|some|somewhat"
        r"|sometimes|often|in part|minority|handful|several"
        r"|certain|almost|rather|may|might|could|perhaps|likely|unlikely|limited|modest|mixed|uneven|tend|tends"
        r"|half|quarter|third|one|two|three|four|five|six|seven|eight|nine|ten|percent|per cent|\d[\d.,%]*"
        # a contrast or concession: what it opens may limit what comes before
        r"|but|yet|though|although|however|while|whereas|despite|still)(?!\w)", re.I),
    fragment=re.compile(
        r"(?:in|on|at|for|with|by|from|under|over|during|after|before|among|amongst|within|across|through|outside"
        r"|inside|around|between|to|of|as|than|against|towards?|beyond|near|along|via|especially|particularly"
        r"|even|just|so|that|this|is|was|are|were|\w+ly)\b", re.I),
    back=re.compile(r"(?:this|that|these|those|it|its|they|their|them|such|so|which|the same|here|there)\b", re.I),
)

_DA = _Language(
    verbs=re.compile(
        r"\b(?:argumenterer|konkluderer|viser|finder|anbefaler|kræver|peger på|påviser|understreger|foreslår"
        r"|advarer)\b", re.I),
    subject=re.compile(
        r"\b(?:rapporten|analysen|undersøgelsen|studiet|notatet|forfatterne|forskerne|policy brief'en)\b|\bvi\b",
        re.I),
    attribution=re.compile(
        r"^(?:rapporten|analysen|undersøgelsen|studiet|notatet|forfatterne|forskerne|vi|den|det|de)\s+"
        r"(?:også\s+)?(?:argumenterer(?:\s+for)?|konkluderer|viser|finder|påviser),?\s+at\s+", re.I),
    connector=re.compile(r"^(?:men|og|dog|desuden|samtidig|også|endvidere|alligevel)\b,?\s+", re.I),
    also=re.compile(r"\s+også\b", re.I),
    fillers=re.compile(r"\s+meget(?=\s)", re.I),
    but=", men ",
    not_only="ikke kun ",
    but_that=re.compile(r"^(?:også\s+)?(?=at\b|til\b)", re.I),
    asides=re.compile(r"\s+[–—]\s+|\s+\(|,\s+(?:f\.eks\.|fx|herunder|som|bl\.a\.)\b", re.I),
    and_that=re.compile(r",?\s+og\s+at\s+", re.I),
    qualifier=re.compile(
        r"(?<!\w)(?:kun|ikke|ingen|intet|aldrig|hverken|uden|ej|undtagen|medmindre|hvis|når|hvor|forudsat|så længe"
        r"|blot|alene|mindst|højst"
        # limiting and hedging words (a "-vis" adverb opening a split-off part is caught by ``fragment`` too)
        r"|delvis|muligvis|forholdsvis|gradvis|mest|mestendels|hovedsageligt?|primært|overvejende|især|navnlig"
        r"|delvist|til dels|sjældent?|næppe"
        r"|knap|knapt|mindre|færre|få|lidt|nogle|noget|visse|enkelte|mindretal|ofte|typisk|generelt|sommetider"
        r"|undertiden|kan|kunne|måske|sandsynligvis|formentlig|næsten|relativt|ret|temmelig|begrænset|halvdelen"
        r"|procent|\d[\d.,%]*"
        r"|men|dog|selvom|skønt|omend|mens|derimod|imidlertid|alligevel|stadig)(?!\w)", re.I),
    fragment=re.compile(
        r"(?:i|på|ved|for|med|af|fra|under|over|efter|før|blandt|inden|gennem|mellem|til|som|end|mod|især|navnlig"
        r"|selv|bare|så|at|det|er|var|\w+vis)\b", re.I),
    back=re.compile(r"(?:dette|det|den|denne|disse|de|dem|deres|dens|dets|sådan|sådanne|samme|her|der|hvilket)\b", re.I),
)

_LANGUAGES = {"en": _EN, "da": _DA}
# A clause boundary to cut at: a comma or semicolon before a word that opens a new clause.
_CLAUSE_START = re.compile(
    r"(?:;|,\s+(?=(?:and|but|or|yet|so|while|whereas|although|though|because|since|as|which|who|where|when|if"
    r"|og|men|eller|mens|selvom|fordi|da|som|hvor|når|hvis)\b))", re.I)
_DANGLING = frozenset({"the", "a", "an", "and", "or", "of", "to", "in", "for", "with", "by", "on", "at", "as", "that",
                       "which", "from", "is", "are", "be", "its", "their", "og", "i", "af", "til", "for", "med", "på",
                       "at", "som", "en", "et", "den", "det", "de", "er"})


def _language(code: str) -> _Language:
    return _LANGUAGES.get((code or "en").split("-")[0].lower(), _EN)


def _limited(text: str, lang: _Language) -> bool:
    """Whether ``text`` holds a word that negates, limits or hedges a claim, anywhere in it.

    Words a cut or split would leave out must hold none: "…increased, but mostly in the border
    areas" or "…weakened the regime (in a minority of the cases studied)" without their second
    part would claim more than the page does. A word list cannot be complete, so the rule errs
    on the safe side: a whole sentence, or no bullet, rather than a stronger claim.
    """
    return bool(lang.qualifier.search(text))


def _last_limit(text: str, lang: _Language) -> int:
    """Where the last negating, limiting or hedging word of ``text`` ends (0 if none): no cut may come before it."""
    return max((m.end() for m in lang.qualifier.finditer(text)), default=0)




def _claim_sentences(paragraph: str, lang: _Language, strong: bool) -> list[str]:
    """From the first sentence carrying a claim to the end of the paragraph (the argument continues)."""
    said = sentences(paragraph)
    for i, sentence in enumerate(said):
        if lang.verbs.search(sentence) and (not strong or lang.subject.search(sentence)):
            return [s for s in said[i:] if len(s) <= _MAX_SENTENCE]
    return []


def _is_claim_paragraph(paragraph: str, lang: _Language, strong: bool) -> bool:
    return bool(_claim_sentences(paragraph, lang, strong))


def _strong(paragraphs: Sequence[str], lang: _Language) -> bool:
    """Whether any paragraph names the report as the one making a claim ("The report argues")."""
    return any(_is_claim_paragraph(p, lang, True) for p in paragraphs)


def _two_claims(first: str, second: str, lang: _Language) -> bool:
    """Whether "first, but second" (or "first; second") may stand as two bullets.

    Each bullet leaves the other part out, so neither part may hold a limiting word, and the
    second must not open like a phrase of the first ("…, but in the border areas").
    """
    second = second.strip()
    return (len(first.split()) >= 4 and len(second.split()) >= 4 and not lang.fragment.match(second)
            and not _limited(first, lang) and not _limited(second, lang))


def _split(sentence: str, lang: _Language) -> list[str]:
    """One sentence holding two claims → two pieces of it, each a run of the sentence's own words."""
    lowered = sentence.lower()
    only = lowered.find(lang.not_only)
    if only > 0:
        but = lowered.find(lang.but, only)
        rest = sentence[but + len(lang.but):] if but > 0 else ""
        second = lang.but_that.match(rest)
        if second:
            head = sentence[:only]
            first_claim, second_claim = head + sentence[only + len(lang.not_only):but], head + rest[second.end():]
            if not _limited(first_claim, lang) and not _limited(rest[second.end():], lang):
                return [first_claim, second_claim]
        return [sentence]
    if lowered.count(lang.but) == 1 and ";" not in sentence:
        at = lowered.find(lang.but)
        first, second_part = sentence[:at], sentence[at + len(lang.but):]
        if not lang.but_that.match(second_part) and _two_claims(first, second_part, lang):
            return [first, second_part]
    if sentence.count(";") == 1:
        first, second_part = sentence.split(";", 1)
        if _two_claims(first, second_part, lang):
            return [first, second_part]
    return [sentence]


def _shorten(text: str, lang: _Language, limit: int) -> str:
    """About ``limit`` characters: drop fillers, then trailing asides, then cut at a clause, never mid-word.

    A sentence that cannot lose an aside may run to ``limit * 1.2``: a whole claim reads
    better than a clipped one. Past that it is cut at a clause, or at a word as a last resort.
    No cut leaves out a negating, limiting or hedging word (the part cut off must hold none), and a
    sentence holding one is never cut at a word; when only such a cut would do, there is no bullet (""). Fillers ("very") stay in a sentence holding
    such a word: "not very effective" is not "not effective".
    """
    if len(text) <= limit:
        return text
    if not _limited(text, lang):
        text = lang.fillers.sub("", text)
    while len(text) > limit:
        guard = _last_limit(text, lang)
        asides = [m.start() for m in lang.asides.finditer(text) if m.start() >= max(limit // 3, guard + 1)]
        if not asides:
            break
        text = text[:max([a for a in asides if a <= limit] or asides[:1])]
    most = limit * 6 // 5
    if len(text) <= most:
        return text
    guard = _last_limit(text, lang)
    clauses = [m.start() for m in _CLAUSE_START.finditer(text, 0, most + 1) if m.start() >= max(limit // 2, guard + 1)]
    if clauses:
        return text[:clauses[-1]]
    if _limited(text, lang):
        # a cut mid-clause may leave out what a negation or limit applies to ("…but not (as hoped) by much")
        return ""
    words = text[:most + 1].split()[:-1]
    while len(words) > 4 and words[-1].lower().strip(",;:") in _DANGLING:
        words.pop()
    return " ".join(words)


def _finish(text: str) -> str:
    """A capital first letter and one full stop; no trailing comma or dash."""
    text = text.strip().rstrip(",;:–—- ").strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text.rstrip(".") + "."


def bullets(sentence: str, language: str = "en", limit: int = MAX_CHARS) -> tuple[str, ...]:
    """One sentence of the page → its claims as standalone bullets of at most ``limit`` characters."""
    lang = _language(language)
    core, attributed = lang.attribution.subn("", sentence.strip(), count=1)
    # "The brief concludes that A, and that B": two claims, both the brief's; but "…, and that this holds
    # only in B" limits A through "this", so a part pointing back keeps the sentence whole.
    parts = lang.and_that.split(core, maxsplit=3) if attributed else [core]
    if any(lang.back.match(part) for part in parts[1:]):
        parts = [sentence.strip()]
    made: list[str] = []
    for piece in (p for part in parts for p in _split(part, lang)):
        piece = lang.connector.sub("", piece.strip(), count=1)
        if lang.not_only not in piece.lower():
            piece = lang.also.sub("", piece)
        piece = _finish(_shorten(piece.strip().rstrip("."), lang, limit - 1))
        if len(piece.split()) >= 4:
            made.append(piece)
    return tuple(made)


def key_arguments(paragraphs: Sequence[str], language: str = "en") -> tuple[str, ...]:
    """The report's own claims, one standalone bullet each, in the page's order (at most MAX_CLAIMS)."""
    lang = _language(language)
    paragraphs = list(paragraphs)[:_MAX_PARAGRAPHS]
    strong = _strong(paragraphs, lang)
    made: list[str] = []
    seen: set[str] = set()
    for paragraph in paragraphs:
        for sentence in _claim_sentences(paragraph, lang, strong):
            for bullet in bullets(sentence, language):
                if bullet.lower() not in seen:
                    seen.add(bullet.lower())
                    made.append(bullet)
    return tuple(made[:MAX_CLAIMS])


def _substantial(paragraph: str) -> bool:
    """A paragraph of prose, not a byline, a date or a heading."""
    return len(paragraph.split()) >= 15 and paragraph.rstrip()[-1:] in ".!?”\")"


def lead_paragraphs(paragraphs: Sequence[str], language: str = "en", most: int = 3) -> tuple[str, ...]:
    """The summary before the argument: prose paragraphs before the first claim paragraph (at most ``most``).

    When the very first paragraph already carries the claim, it is the lead on its own; when no
    paragraph carries one, the first two prose paragraphs are.
    """
    lang = _language(language)
    prose = [p for p in list(paragraphs)[:_MAX_PARAGRAPHS] if _substantial(p)]
    strong = _strong(prose, lang)
    first = next((i for i, p in enumerate(prose) if _is_claim_paragraph(p, lang, strong)), None)
    if first is None:
        return tuple(prose[:2])
    return tuple(prose[:min(first, most)] or prose[:1])
