"""``outreach report`` end to end: the terminal, JSON and CSV say the same numbers; hostile strings stay inert everywhere."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from html.parser import HTMLParser

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from outreach.report.charts import all_charts, clicks_chart
from outreach.report.data import gather
from outreach.report.html import CSP, render_html, safe_href
from outreach.store.click_store import ClickRow, write_batch
from outreach.store.db import open_db
from outreach.store.schema import links
from tests.report.seed import EXPECTED, HOSTILE_LABEL, HOSTILE_POST_URL, seed


@pytest.fixture
def report_config(db_config, tmp_path):
    """``outreach.toml`` on the seeded test database, in the given click mode."""
    seed(open_db(db_config))

    def write(mode: str = "aggregate"):
        path = tmp_path / f"outreach-{mode}.toml"
        path.write_text(f'database = "{db_config.database}"\n[tracking]\nclicks = "{mode}"\n', encoding="utf-8")
        return path

    return write


class _Tags(HTMLParser):
    """Every tag name and attribute of a page, and the text of its style elements."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.names.append(tag)
        self.attrs.extend(attrs)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        self._in_style = False

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._in_style:
            self.style += data


def _terminal_numbers(text: str) -> dict[str, int]:
    found = {}
    for label, key in (("audience", "audience"), ("sent", "sent"), ("hard bounces", "bounced_hard"), ("soft bounces", "bounced_soft"),
                       ("complaints", "complaints"), ("unsubscribes (last touch)", "unsubscribes")):
        found[key] = int(re.search(rf"│ {re.escape(label)}\s+│ (\d+)", text).group(1))
    people, machines, *unique = re.search(r"│\s+│ all links\s+│ (\d+)\s+│ (\d+)\s+│(?: (\d+)\s+│)?", text).groups()
    found |= {"human": int(people), "machine": int(machines)}
    if unique and unique[0] is not None:
        found["unique_clickers"] = int(unique[0])
    return found


def _csv_numbers(text: str) -> dict[str, int]:
    rows = list(csv.DictReader(io.StringIO(text)))
    email = {r["measure"]: int(r["value"]) for r in rows if r["section"] == "email" and r["item"] == "all"}
    clicks = {r["measure"]: int(r["value"]) for r in rows if r["section"] == "clicks" and r["item"] == "all"}
    return email | clicks


def _json_numbers(doc: dict) -> dict[str, int]:
    e, c = doc["email"], doc["clicks"]
    found = {k: e[k] for k in ("audience", "sent", "bounced_hard", "bounced_soft", "complaints", "unsubscribes")}
    found |= {"human": c["human"], "machine": c["machine"]}
    if c["unique_clickers"] is not None:
        found["unique_clickers"] = c["unique_clickers"]
    return found


@pytest.mark.parametrize("mode", ["aggregate", "individual"])
def test_terminal_json_and_csv_carry_the_same_numbers(cli, report_config, tmp_path, mode):
    config = report_config(mode)
    result = cli("--config", config, "report", "spring", "--json", tmp_path / "r.json", "--csv", tmp_path / "r.csv")
    assert result.code == 0, result.err
    expected = {"audience": EXPECTED.audience, "sent": EXPECTED.sent, "bounced_hard": EXPECTED.bounced_hard, "bounced_soft": EXPECTED.bounced_soft,
                "complaints": EXPECTED.complaints, "unsubscribes": len(EXPECTED.unsubscribed), "human": EXPECTED.human, "machine": EXPECTED.machine}
    if mode == "individual":
        expected["unique_clickers"] = EXPECTED.unique_total
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert _terminal_numbers(result.out) == expected
    assert _json_numbers(doc) == expected
    assert _csv_numbers((tmp_path / "r.csv").read_text(encoding="utf-8")) == expected
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8"))))
    per_hour = [(r["time"], r["measure"], int(r["value"])) for r in rows if r["section"] == "clicks_per_hour"]
    assert per_hour == [(h.strftime("%Y-%m-%dT%H:00:00Z"), m, n) for h, people, machines in EXPECTED.hours
                        for m, n in (("human", people), ("machine", machines))]
    assert [(link["human"], link["machine"]) for link in doc["clicks"]["links"]] == [(h, m) for _, h, m in EXPECTED.link_clicks]


def test_aggregate_mode_shows_no_unique_clickers_anywhere(cli, report_config, tmp_path):
    result = cli("--config", report_config("aggregate"), "report", "spring", "--json", tmp_path / "r.json", "--csv", tmp_path / "r.csv",
                 "--html", tmp_path / "r.html")
    assert result.code == 0, result.err
    assert "unique clickers are not known, by design" in result.out
    assert "unique clickers ┃" not in result.out
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert doc["clicks"]["unique_clickers"] is None and all(link["unique_clickers"] is None for link in doc["clicks"]["links"])
    assert "unique_clickers" not in (tmp_path / "r.csv").read_text(encoding="utf-8")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'data-measure="unique_clickers"' not in page and "unique clickers</th>" not in page
    individual = cli("--config", report_config("individual"), "report", "spring", "--html", tmp_path / "i.html")
    assert individual.code == 0 and 'data-measure="unique_clickers">2<' in (tmp_path / "i.html").read_text(encoding="utf-8")


def test_hostile_strings_are_inert_in_every_output(cli, report_config, tmp_path):
    result = cli("--config", report_config("individual"), "report", "spring", "--json", tmp_path / "r.json", "--csv", tmp_path / "r.csv",
                 "--html", tmp_path / "r.html")
    assert result.code == 0, result.err
    outputs = {"terminal": result.out, **{n: (tmp_path / f"r.{n}").read_text(encoding="utf-8") for n in ("json", "csv", "html")}}
    for name, text in outputs.items():
        assert "\x1b" not in text, f"a raw escape reached the {name} output"
    assert "\\x1b[31mred" in result.out and "\\x1b[2J" in result.out  # shown, not obeyed
    page = outputs["html"]
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#39;label&#39;)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    links = re.findall(r'<a\b[^>]*\bhref="([^"]*)"', page)
    assert links == ["https://example.org/report?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=spring",
                     "https://x.example/diis/status/1001"]
    assert all(h.startswith("#") for h in re.findall(r'xlink:href="([^"]*)"', page))  # the charts' own glyphs and markers
    assert "javascript:alert(document.domain)" in page  # shown as text, never a link
    assert "\n'=HYPERLINK" not in outputs["csv"] and "'=HYPERLINK" in outputs["csv"]  # a spreadsheet does not run it
    doc = json.loads(outputs["json"])
    assert doc["clicks"]["links"][1]["label"] == HOSTILE_LABEL and doc["posts"][1]["url"] == HOSTILE_POST_URL  # data, kept exact


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
                                 "data:text/html,<b>", "vbscript:x", "file:///etc/passwd", "//evil.example/x", "https://a.example/\x1b[31m",
                                 'https://a.example/" onmouseover="x', "https:///nohost", "http://[::1"])
def test_only_http_urls_become_links(url):
    assert safe_href(url) is None
    assert safe_href("https://example.org/a?b=1&c=2") == "https://example.org/a?b=1&c=2"


def test_the_html_asks_for_nothing(report_config, db_config):
    page = render_html(gather(open_db(db_config), "spring", "individual"))
    policies = [html.unescape(c) for c in re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)]
    assert policies == [CSP]
    assert CSP == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    tags = _Tags()
    tags.feed(page)
    assert not {"script", "link", "iframe", "img", "object", "embed", "base", "image", "foreignobject", "audio", "video"} & set(tags.names)
    assert not [a for a in tags.attrs if a[0] in ("src", "srcset", "action", "formaction", "background", "poster")]
    assert [v for n, v in tags.attrs if n == "http-equiv"] == ["Content-Security-Policy"]
    assert "url(" not in tags.style and "@import" not in tags.style
    assert tags.names.count("svg") == 3  # clicks, and the two x posts with readings (the outbox post has none)


def test_charts_are_deterministic_and_carry_no_date(db_config):
    engine = open_db(db_config)
    seed(engine)
    report = gather(engine, "spring", "aggregate")
    first, again = all_charts(report.clicks, report.posts), all_charts(report.clicks, report.posts)
    assert first == again
    svg = clicks_chart(report.clicks).svg
    assert "<metadata" not in svg and "<dc:" not in svg and "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert '<title id="clicks-title">' in svg and 'role="img"' in svg
    ids = re.findall(r'\bid="([^"]+)"', render_html(report))
    assert len(ids) == len(set(ids)), "the charts' ids collide in the page"


def test_unknown_campaign_is_one_line_and_exit_1(cli, report_config):
    result = cli("--config", report_config(), "report", "nothing-here")
    assert result.code == 1
    assert result.err == "error: no campaign 'nothing-here' in the database: nothing of it was sent or scheduled\n"
    assert result.out == ""


def test_dash_writes_one_output_to_standard_output(cli, report_config):
    result = cli("--config", report_config(), "report", "spring", "--json", "-")
    assert result.code == 0
    assert json.loads(result.out)["email"]["sent"] == EXPECTED.sent
    both = cli("--config", report_config(), "report", "spring", "--json", "-", "--csv", "-")
    assert both.code == 1 and "only one of" in both.err


def test_the_sample_campaign_sent_to_the_outbox(cli, db_config, tmp_path, campaign_copy):
    config = tmp_path / "outreach.toml"
    config.write_text(f'database = "{db_config.database}"\noutbox = "{tmp_path / "outbox"}"\nrequire_approval = false\n', encoding="utf-8")
    people = tmp_path / "people.csv"
    people.write_text("email,name\nann@example.org,Ann\nbob@example.org,Bob\n", encoding="utf-8")
    campaign = campaign_copy()
    assert cli("--config", config, "subscribers", "import", people, "--list", "research", "--consent", "test subscribers").code == 0
    assert cli("--config", config, "send", campaign, "--now").code == 0
    assert cli("--config", config, "post", campaign, "--now").code == 0
    engine = open_db(db_config)
    with engine.connect() as conn:
        first, second = conn.execute(select(links.c.id).where(links.c.campaign == "soldier-defections-myanmar").order_by(links.c.position).limit(2)).scalars()
    at = datetime.now(timezone.utc)
    write_batch(engine, [ClickRow(first, at, None), ClickRow(first, at, None), ClickRow(second, at, "scanner")], [])  # the click endpoint's writer
    result = cli("--config", config, "report", campaign, "--json", tmp_path / "r.json")  # by file: post channels come from it
    assert result.code == 0, result.err
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert (doc["email"]["audience"], doc["email"]["sent"]) == (2, 2)
    assert [(link["position"], link["human"], link["machine"]) for link in doc["clicks"]["links"][:2]] == [(1, 2, 0), (2, 0, 1)]
    assert (doc["clicks"]["human"], doc["clicks"]["machine"], doc["clicks"]["unique_clickers"]) == (2, 1, None)
    assert [(p["channel"], p["step"], p["part"], p["outbox"]) for p in doc["posts"]] == [
        ("x", 2, 1, True), ("x", 2, 2, True), ("x", 2, 3, True), ("x", 2, 4, True), ("mastodon", 3, 1, True), ("bluesky", 4, 1, True),
        ("linkedin", 5, 1, True)]
    assert all(p["note"] == "written to the outbox, not published: no reactions" for p in doc["posts"])
    assert "written to the outbox, not published: no reactions" in result.out


def test_a_file_that_cannot_be_written_is_one_line(cli, report_config, tmp_path):
    result = cli("--config", report_config(), "report", "spring", "--html", tmp_path / "missing" / "r.html")
    assert result.code == 1
    assert result.err.count("\n") == 1 and "cannot write" in result.err and "Traceback" not in result.err


def test_a_campaign_file_that_no_longer_reads_still_has_its_report(cli, report_config, tmp_path):
    broken = tmp_path / "spring.toml"
    broken.write_text("this is [not toml\n", encoding="utf-8")
    result = cli("--config", report_config(), "report", broken, "--json", "-")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["campaign"] == "spring" and doc["email"]["sent"] == EXPECTED.sent
    assert [p["channel"] for p in doc["posts"]] == ["x", "x", "unknown"]  # step 3 was posted by hand: only its file could say
