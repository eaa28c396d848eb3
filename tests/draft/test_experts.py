"""experts.py: experts from the lines of a block and from tables."""

from __future__ import annotations

from lxml import html as lxml_html

from outreach.draft.experts import experts_from_lines, experts_from_table, is_name, is_phone
from outreach.draft.facts import ExpertFacts


def _table(markup: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(markup)


def test_lines_in_any_order() -> None:
    assert experts_from_lines(["Helene Maria Kyed", "Peace and violence", "Senior Researcher", "+45 4096 3309"]) == (
        ExpertFacts("Helene Maria Kyed", "Senior Researcher", "Peace and violence", "+45 4096 3309"),)
    assert experts_from_lines(["Mette Ravn Jensen", "mrj@nis.example", "Tel.: +45 3269 8790", "Seniorforsker"]) == (
        ExpertFacts("Mette Ravn Jensen", "Seniorforsker", "", "+45 3269 8790", "mrj@nis.example"),)


def test_a_unit_that_looks_like_a_name_and_two_experts() -> None:
    lines = ["Contact us", "Layla Haddad", "Researcher", "Middle East Studies", "+45 3269 8755", "lha@mei.example",
             "Jens Hansen", "Professor", "jh@mei.example"]
    assert experts_from_lines(lines) == (
        ExpertFacts("Layla Haddad", "Researcher", "Middle East Studies", "+45 3269 8755", "lha@mei.example"),
        ExpertFacts("Jens Hansen", "Professor", "", "", "jh@mei.example"))


def test_a_second_role_moves_a_name_read_as_unit() -> None:
    assert experts_from_lines(["Anna Berg", "Senior Researcher", "Carl Dahl", "Professor"]) == (
        ExpertFacts("Anna Berg", "Senior Researcher"), ExpertFacts("Carl Dahl", "Professor"))


def test_table_with_header_row() -> None:
    # "Visiting Scholar" is no role word a line reader knows: only the header says it is the title.
    table = _table("<table><tr><th>Name</th><th>Title</th><th>Department</th><th>Phone</th><th>E-mail</th></tr>"
                   "<tr><td>Omar Farouk</td><td>Visiting Scholar</td><td>Economics</td><td>+45 3269 8802</td>"
                   "<td><a href='mailto:ofa@gdi.example'>ofa@gdi.example</a></td></tr></table>")
    assert experts_from_table(table) == (ExpertFacts("Omar Farouk", "Visiting Scholar", "Economics", "+45 3269 8802",
                                                     "ofa@gdi.example"),)


def test_table_with_label_cells_and_without_either() -> None:
    labelled = _table("<table><tr><th>Navn</th><td>Mette Ravn Jensen</td></tr><tr><th>Stilling</th><td>Seniorforsker"
                      "</td></tr><tr><th>Telefon</th><td>+45 3269 8790</td></tr><tr><th>Name</th><td>Aputsiaq Olsen"
                      "</td></tr></table>")
    assert experts_from_table(labelled) == (ExpertFacts("Mette Ravn Jensen", "Seniorforsker", phone="+45 3269 8790"),
                                            ExpertFacts("Aputsiaq Olsen"))
    bare = _table("<table><tr><td>Anna Berg</td><td>Professor</td><td>+45 1234 5678</td></tr></table>")
    assert experts_from_table(bare) == (ExpertFacts("Anna Berg", "Professor", phone="+45 1234 5678"),)
    assert experts_from_table(_table("<table><tr><th>Year</th><th>Price</th></tr><tr><td>2020</td><td>3</td></tr></table>")) == ()


def test_recognisers() -> None:
    assert is_name("Helene Maria Kyed") and is_name("Ludwig van Beethoven") and is_name("Søren Vestergaard")
    assert not is_name("Senior Researcher") and not is_name("Peace and violence") and not is_name("Kyed")
    assert is_phone("+45 4096 3309") and is_phone("(020) 7946 0018") and not is_phone("2021")
