"""claims.py: the report's own claims, made only by deleting words; the lead paragraphs before them."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.draft.claims import MAX_CHARS, bullets, key_arguments, lead_paragraphs, sentences

LEAD = ("Since the coup an estimated 2,000 soldiers have defected and joined the opposition to military rule, "
        "a small share of a large army.")
SECOND = "This report explores the drivers and obstacles to defection since the coup, drawing on many interviews."
CLAIMS = ("The report argues that moral concerns have been a key motivating factor, but defections are also driven "
          "by demoralisation with the military organisation. Yet there are also pervasive obstacles to defection.")


def _words(text: str) -> list[str]:
    return re.findall(r"[\w’'-]+", text.lower())


def _is_deletion(bullet: str, source: str) -> bool:
    """The bullet's words appear in the source in the same order (words only left out)."""
    rest = iter(_words(source))
    return all(any(w == s for w in rest) for s in _words(bullet))


def test_attribution_deleted_and_but_split() -> None:
    assert key_arguments([LEAD, SECOND, CLAIMS]) == (
        "Moral concerns have been a key motivating factor.",
        "Defections are driven by demoralisation with the military organisation.",
        "There are pervasive obstacles to defection.",
    )


def test_not_only_but_is_two_claims() -> None:
    said = bullets("The report concludes that peace requires not only ensuring that soldiers are safe after they "
                   "leave, but that campaigns are also able to reach them.")
    assert said == ("Peace requires ensuring that soldiers are safe after they leave.",
                    "Peace requires that campaigns are able to reach them.")


def test_and_that_after_an_attribution() -> None:
    said = bullets("The brief concludes that the states need a joint register, and that NATO should patrol the routes.")
    assert said == ("The states need a joint register.", "NATO should patrol the routes.")


def test_recommendations_keep_their_subject() -> None:
    assert bullets("The authors recommend that donors tie support to metering of private wells.") == (
        "The authors recommend that donors tie support to metering of private wells.",)


def test_danish() -> None:
    text = ("Analysen argumenterer for, at Grønland i dag har større indflydelse end før. "
            "Forfatterne konkluderer, at Danmark og Grønland har brug for fælles regler.")
    assert key_arguments([text], "da") == ("Grønland i dag har større indflydelse end før.",
                                          "Danmark og Grønland har brug for fælles regler.")
    assert key_arguments([text], "da-DK") == key_arguments([text], "da")


def test_long_sentence_cut_at_an_aside_never_mid_word() -> None:
    sentence = ("The report finds that there are pervasive obstacles to defection, which are woven into the fabric "
                "of the army’s long tradition of nurturing cohesion and loyalty – e.g., through ideological "
                "programming, isolation, hierarchical patron-client relations and a system of punishments.")
    (bullet,) = bullets(sentence)
    assert bullet == ("There are pervasive obstacles to defection, which are woven into the fabric of the army’s "
                      "long tradition of nurturing cohesion and loyalty.")


def test_lead_is_before_the_claims() -> None:
    assert lead_paragraphs(["Policy Brief", LEAD, SECOND, CLAIMS]) == (LEAD, SECOND)
    assert lead_paragraphs([CLAIMS, LEAD]) == (CLAIMS,)  # the first paragraph is the claim: it leads alone
    assert lead_paragraphs([LEAD, SECOND, LEAD + " More."]) == (LEAD, SECOND)  # no claims: the first two


def test_weak_claim_verbs_only_without_a_strong_one() -> None:
    figure = "Figure 3 shows that prices rose in every one of the twelve regions between the first and last year."
    assert key_arguments([figure, CLAIMS])[0].startswith("Moral concerns")
    assert figure.rstrip(".") in key_arguments([figure])[0]


def test_sentences_keep_abbreviations() -> None:
    assert sentences("It works, e.g. Through trust. Dr. Smith agrees. A second one.") == (
        "It works, e.g. Through trust.", "Dr. Smith agrees.", "A second one.")


def test_a_qualifier_is_never_split_away() -> None:
    said = bullets("The report finds that sanctions have worked well in weakening the regime, but only where they "
                   "were coordinated among the major donors.")
    assert said == ("Sanctions have worked well in weakening the regime, but only where they were coordinated among "
                    "the major donors.",)
    assert bullets("The report argues that defections have weakened the army a lot; not because of their numbers "
                   "but because of morale.") == (
        "Defections have weakened the army a lot; not because of their numbers but because of morale.",)
    assert bullets("Rapporten viser, at sanktionerne har virket godt mod regimet, men kun hvor de blev koordineret "
                   "mellem donorerne.", "da") == (
        "Sanktionerne har virket godt mod regimet, men kun hvor de blev koordineret mellem donorerne.",)
    # a plain ", but" between two claims is still two bullets
    assert len(bullets("The study finds that the reform has cut emissions in every sector, but the costs have "
                       "fallen on poorer households.")) == 2


def test_a_negation_is_never_deleted() -> None:
    assert bullets("The report finds that sanctions do not weaken the regime in the short run.") == (
        "Sanctions do not weaken the regime in the short run.",)
    assert bullets("The report argues that large aid budgets don’t reach the displaced families in the "
                   "border regions.") == ("Large aid budgets don’t reach the displaced families in the border regions.",)
    long = ("The report finds that the sanctions imposed by the European Union and its partners after the coup have not "
            "weakened the regime’s hold on the economy of the central regions, which is a finding that runs against "
            "much of what was expected at the time by observers in the region and abroad.")
    (bullet,) = bullets(long)  # shortened: its fillers and the trailing aside go, the negation stays
    assert bullet == ("The sanctions imposed by the European Union and its partners after the coup have not weakened "
                      "the regime’s hold on the economy of the central regions.")
    assert key_arguments(["Analysen viser, at reformen ikke har sænket udledningerne i landbruget."], "da") == (
        "Reformen ikke har sænket udledningerne i landbruget.",)


def test_a_long_claim_is_never_cut_before_its_condition() -> None:
    body = ("aid to the border regions reaches the displaced families who need it most and helps them rebuild their "
            "homes, their livelihoods and their communities over the many years that a return takes")
    condition = ", if the armed groups let the convoys pass their checkpoints without taxing them"
    for glue in (", and it ", ", which "):  # a clause or an aside to cut at, before the condition
        said = bullets(f"The report argues that {body}{glue}is the subject of this long report{condition}.")
        assert all("if the armed groups" in b for b in said), said
    short = "aid to the border regions reaches the displaced families and helps them rebuild their homes"
    (bullet,) = bullets(f"The report argues that {short}{condition}, which is a long aside about the checkpoints "
                        "and the many armed groups that run them in the hills.")
    assert bullet.endswith("without taxing them.")  # a cut after the condition is fine
    long_tail = " in all of the districts studied by the team and its partners in the field from 2019 to 2023"
    said = bullets(f"The report argues that {body}{long_tail} but never in Rakhine state.")
    assert all("never" in b for b in said)  # no bullet that claims more than the page: dropped, not clipped


_QUALIFIERS = {"only", "not", "never", "unless", "if", "except", "where", "when"}


def _aligned(bullet: str, source: list[str]) -> list[int]:
    """The index in ``source`` of each word of ``bullet``, in order (the source's own words are unique)."""
    at: list[int] = []
    for word in _words(bullet):
        at.append(source.index(word, at[-1] + 1 if at else 0))
    return at


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.lists(st.text(alphabet="abcdefghijkl", min_size=1, max_size=9), min_size=3, max_size=40),
                          st.sampled_from([", but only ", ", but not ", "; not ", ", unless ", ", if ", " not ",
                                           ", except ", " – only ", " (only ", ", but ", "; ", ", where "])),
                min_size=1, max_size=5))
def test_no_cut_or_split_drops_a_negation_or_qualifier(parts: list[tuple[list[str], str]]) -> None:
    counter = iter(range(10_000))
    text = "".join(" ".join(f"{w}{next(counter)}" for w in ws) + glue for ws, glue in parts)
    sentence = f"The report argues that {text}end."
    source = _words(sentence)
    for bullet in bullets(sentence):
        at = _aligned(bullet, source)
        kept = set(at)
        inside = [source[i] for i in range(at[0], at[-1] + 1) if i not in kept]
        assert not _QUALIFIERS & set(inside), (bullet, sentence)
        after = [w for w in source[at[-1] + 1:at[-1] + 3] if w != "but"]
        assert not after or after[0] not in _QUALIFIERS, (bullet, sentence)


_WORD = st.text(alphabet="abcdefghijkl", min_size=1, max_size=12)
_SENTENCE = st.lists(_WORD, min_size=3, max_size=80).map(" ".join)
_GLUE = st.sampled_from([", but ", ", and that ", " – e.g., ", "; ", " not only ", ", which ", " also ", " "])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_SENTENCE, _GLUE), min_size=1, max_size=6))
def test_every_bullet_is_a_deletion_of_its_sentence(parts: list[tuple[str, str]]) -> None:
    sentence = "The report argues that " + "".join(a + b for a, b in parts) + "end."
    for bullet in bullets(sentence):
        assert len(bullet) <= MAX_CHARS * 6 // 5
        assert bullet[0].isupper() and bullet.endswith(".")
        assert _is_deletion(bullet, sentence), (bullet, sentence)


def test_a_limiting_word_is_never_split_away() -> None:
    head = "The report finds that defections have increased sharply since the coup"
    for tail in (", but mostly in the border areas held by armed groups", ", but rarely in the central regions of the country",
                 ", but seldom among the officers of the elite divisions", ", but hardly at all among officers in the capital",
                 ", but less so in the central regions of the country", "; in a few cases, that is, where donors coordinated them closely",
                 ", but in the border areas held by the armed groups"):  # the last: no limiting word, a phrase of the first part
        assert bullets(f"{head}{tail}.") == (f"Defections have increased sharply since the coup{tail}.",)
    assert bullets("Rapporten viser, at afhoppene er steget kraftigt siden kuppet i landet, men mest blandt de menige "
                   "soldater i grænseområderne.", "da") == (
        "Afhoppene er steget kraftigt siden kuppet i landet, men mest blandt de menige soldater i grænseområderne.",)
    # a limiting word in the first part: the second alone would drop the contrast
    assert len(bullets("The study finds that sanctions have mainly hit the urban middle class, but the regime has "
                       "found new sources of revenue abroad.")) == 1


def test_an_intensifier_after_a_negation_stays() -> None:
    sentence = ("The report finds that the sanctions imposed by the European Union and its partners after the coup were not "
                "very effective in the short run and very costly for the small traders and the farmers in the border regions "
                "of the north.")
    assert len(sentence) - len("The report finds that ") > MAX_CHARS  # long enough to be shortened
    for bullet in bullets(sentence):
        assert "not very effective" in bullet and "very costly" in bullet, bullet
    assert bullets(sentence)  # kept whole (within the 20% a whole claim may run over), not dropped
    plain = ("The report finds that the sanctions imposed by the European Union and its partners after the coup were "
             "very costly for the small traders and the farmers in the border regions of the northern and eastern states "
             "of the country.")
    assert len(plain) > 220 and "very" not in bullets(plain)[0]  # without a negation or limiting word the filler may go


def test_an_aside_holding_a_limiting_word_is_never_cut() -> None:
    body = ("the sanctions imposed by the European Union and its partners after the coup have weakened the regime’s hold "
            "on the economy of the central and northern regions")
    for aside in (" (in a minority of the cases studied by the team, over the two years in the field)",
                  ", which was true in few of the places that the team visited in the rice and timber districts",
                  " – in part because the traders found other routes through the hills to the border markets"):
        said = bullets(f"The report finds that {body}{aside}.")
        limiting = next(w for w in ("minority", "few", "in part") if w in aside)
        assert all(limiting in b for b in said), said  # the whole claim, or no bullet: never the claim without its limit
    (bullet,) = bullets(f"The report finds that {body}, which is a finding that runs against what most observers expected.")
    assert bullet == f"{body[0].upper()}{body[1:]}."  # an aside with no limiting word may still go


def test_not_only_with_a_limiting_word_is_not_split() -> None:
    sentence = ("The report concludes that peace requires not only ensuring that soldiers are safe after they leave, "
                "but also that campaigns are able to reach them, mostly in the border areas.")
    assert bullets(sentence) == ("Peace requires not only ensuring that soldiers are safe after they leave, but also that "
                                 "campaigns are able to reach them, mostly in the border areas.",)


def test_and_that_pointing_back_is_not_split() -> None:
    said = bullets("The brief concludes that sanctions weaken the regime, and that this holds only where the donors "
                   "act together.")
    assert said == ("The brief concludes that sanctions weaken the regime, and that this holds only where the donors "
                    "act together.",)


_LIMITING = ["mostly", "rarely", "seldom", "hardly", "less", "few", "minority", "some", "partly", "not", "very"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.lists(st.text(alphabet="abcdefghijkl", min_size=1, max_size=9), min_size=2, max_size=40),
                          st.sampled_from([", but mostly ", ", but rarely ", "; in a few cases ", " (in a minority of ",
                                           ", which was true in few ", ", but less so ", " not very ", ", which seldom ",
                                           " – partly ", ", hardly ", ", some ", ", which ", " – e.g., ", "; ", ", but ",
                                           ", and ", " very "])),
                min_size=1, max_size=5))
def test_every_limiting_word_of_the_sentence_is_in_every_bullet(parts: list[tuple[list[str], str]]) -> None:
    counter = iter(range(10_000))
    text = "".join(" ".join(f"{w}{next(counter)}" for w in ws) + glue for ws, glue in parts)
    sentence = f"The report argues that {text}end."
    source = _words(sentence)
    if not any(w in source for w in _LIMITING[:-1]):
        return  # nothing limits this sentence: fillers and asides may go
    for bullet in bullets(sentence):
        words = _words(bullet)
        assert all(words.count(w) == source.count(w) for w in _LIMITING[:-1]), (bullet, sentence)
        assert bullet.count("not very") == sentence.count("not very"), (bullet, sentence)  # no intensifier deleted
        assert words[-1] not in _LIMITING[:-1], (bullet, sentence)  # never a limit whose object was cut off


def test_a_limited_claim_is_never_clipped_at_a_word() -> None:
    sentence = ("The report finds that the sanctions imposed by the European Union and its partners after the coup have "
                "weakened the hold of the regime on the economy of the central regions of the country, but not (as the "
                "donors hoped at the outset of the programme in the border areas) by very much.")
    assert all("by very much" in b for b in bullets(sentence))  # "…but not (as the donors hoped…." would misquote it
