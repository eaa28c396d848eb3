"""Issue 9 items 6 and 16: which templates may come from where, and what a post template may do.

Item 6: a campaign folder may override email templates only; the preview page
(what a reviewer approves) and the web pages always come from the package;
nothing depends on the directory the process started in; and what an email
template renders is covered by the approval hash.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import time_machine

from outreach.campaign import load_campaign
from outreach.config import Config
from outreach.preview import write_preview
from outreach.render.email import render_email
from outreach.render.environment import packaged_templates, template_env
from outreach.validate import check

HOSTILE_PAGE = "<html><head><title>OVERRIDDEN</title></head><body><script>document.title='PWNED'</script>OVERRIDDEN</body></html>\n"
WEB_PAGES = sorted(p.name for p in (packaged_templates() / "web").glob("*.j2"))


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _preview_page(path: Path, out: Path, config: Config) -> tuple[str, list[str]]:
    with time_machine.travel("2026-11-24T12:00:00Z", tick=False):
        checked = check(load_campaign(path), config)
    assert checked.ok, checked.errors
    index = write_preview(checked, config, out).index
    return index.read_text(encoding="utf-8"), [str(w) for w in checked.warnings]


@pytest.mark.parametrize("where", ["campaign-folder", "working-directory"])
def test_the_preview_page_cannot_be_replaced(campaign_copy, tmp_path, config, where):
    path = campaign_copy()
    base = path.parent if where == "campaign-folder" else Path.cwd()
    _write(base / "templates", "preview/index.html.j2", HOSTILE_PAGE)
    page, warnings = _preview_page(path, tmp_path / "pv", config)
    assert "OVERRIDDEN" not in page and "PWNED" not in page
    assert "Dry-run preview" in page
    if where == "campaign-folder":
        assert any("templates/preview is ignored" in w for w in warnings), warnings


@pytest.mark.parametrize("page", WEB_PAGES)
@pytest.mark.parametrize("where", ["campaign-folder", "working-directory"])
def test_web_pages_always_come_from_the_package(campaign_copy, page, where):
    path = campaign_copy()
    base = path.parent if where == "campaign-folder" else Path.cwd()
    _write(base / "templates", f"web/{page}", HOSTILE_PAGE)
    for folder in (None, path.parent):
        template = template_env(folder).get_template(f"web/{page}")
        assert Path(template.filename or "").resolve() == (packaged_templates() / "web" / page).resolve()


def test_email_templates_in_the_working_directory_are_ignored(campaign_copy, config):
    path = campaign_copy()
    _write(Path.cwd() / "templates", "email/report.txt.j2", "FROM THE WORKING DIRECTORY {{ unsubscribe_url }}\n")
    _write(Path.cwd() / "templates", "email/report.mjml.j2", "<mjml><mj-body><mj-section><mj-column><mj-text>CWD</mj-text></mj-column></mj-section></mj-body></mjml>\n")
    email = render_email(load_campaign(path), config)
    assert "FROM THE WORKING DIRECTORY" not in email.text and ">CWD<" not in email.html


def test_an_email_template_may_not_reach_outside_the_campaign_folder(campaign_copy, tmp_path, config):
    path = campaign_copy()
    secret = _write(tmp_path / "elsewhere", "secret.txt", "SMTP_PASSWORD=hunter2 {{ unsubscribe_url }}\n")
    (path.parent / "templates" / "email").mkdir(parents=True)
    os.symlink(secret, path.parent / "templates" / "email" / "report.txt.j2")
    email = render_email(load_campaign(path), config)
    assert "hunter2" not in email.text


def test_email_template_override_is_used_and_changes_the_approval_hash(campaign_copy, config):
    path = campaign_copy()
    before = check(load_campaign(path), config).plan
    _write(path.parent / "templates", "email/report.txt.j2", "A different text for {{ report.title }} {{ unsubscribe_url }}\n")
    after = check(load_campaign(path), config).plan
    assert after.email is not None and after.email.text.startswith("A different text for Soldier Defections")
    assert after.content_hash != before.content_hash
    changed = {k for k in after.hashes if after.hashes[k] != before.hashes.get(k)}
    assert changed == {"email text"}
    _write(path.parent / "templates", "email/report.mjml.j2",
           (packaged_templates() / "email" / "report.mjml.j2").read_text(encoding="utf-8").replace("Read the full report", "Read it now"))
    html_changed = check(load_campaign(path), config).plan
    assert "Read it now" in html_changed.email.html
    assert html_changed.hashes["email html"] != after.hashes["email html"]


# --- item 16: post templates fail as located errors, within a time and size limit ----------------

MASTODON_LINE = "New #DIIS report: {{ report.title }}."
RUNTIME = [
    pytest.param("{{ 1/0 }}", "ZeroDivisionError", id="divide-by-zero"),
    pytest.param('{{ "x"|truncate(-5) }}', "template error", id="negative-truncate"),
    pytest.param('{% include "x" %}', "{% include %}", id="include"),
    pytest.param('{% import "x" as y %}', "{% include %}", id="import"),
    pytest.param("{{ 10**(10**10) }}", "too large a number", id="huge-power"),
    pytest.param("{{ 2**4000 * 2**4000 }}", "too large a number", id="huge-product"),
    pytest.param('{{ "x" * 10**9 }}', "more than 100,000 characters", id="huge-repeat"),
    pytest.param('{{ [0] * 10**9 }}', "more than 100,000 characters or items", id="huge-list"),
    pytest.param('{{ "x".ljust(10**9) }}', "could produce up to", id="huge-method-arg"),
    pytest.param('{{ "x"|center(1000000000) }}', "could produce up to", id="huge-filter-arg"),
    pytest.param('{{ "{:>999999999}".format(1) }}', "str.format is not available", id="format-width"),
    pytest.param('{{ "%999999999s" % 1 }}', "printf-style", id="printf-width"),
    pytest.param('{{ range(100000)|join("x" * 90000) }}', "could produce up to", id="huge-join"),
    pytest.param('{% set ns = namespace(s="ab") %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}', "characters", id="doubling-namespace"),
    pytest.param("{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}", "over 20,000 characters", id="huge-output"),
    pytest.param('{{ ["x" * 90000] * 100000 }}', "more than 100,000 characters or items", id="list-of-big-strings"),
    pytest.param('{% set a = ["x" * 90000] * 100 %}{% set b = [a] * 100 %}{{ b }}', "more than 100,000 characters or items", id="nested-lists"),
    pytest.param('{{ range(100000)|map("string")|map("center", 100000)|join }}', "over 20,000,000 characters in all", id="many-small-results"),
    pytest.param("{{ lipsum(100000) }}", "'lipsum' is undefined", id="lipsum"),
    pytest.param("{{ 1 }}" + "y" * 20_001, "the template is over 20,000 characters", id="huge-source"),
    pytest.param("y" * 20_001, "is over 20,000 characters", id="huge-text"),
    pytest.param("{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}", "RecursionError", id="recursion"),
    pytest.param("{{ 1e308 * 10 > 0 and (10.0 ** 400) }}", "OverflowError", id="float-overflow"),
]


@pytest.mark.parametrize("payload, message", RUNTIME)
def test_post_template_runtime_errors_are_located(cli, campaign_copy, payload, message):
    path = campaign_copy(lambda t: t.replace(MASTODON_LINE, payload, 1))
    result = cli("validate", path)
    assert result.code == 1, result.out
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    errors = [l for l in result.err.splitlines() if l.startswith("error:")]
    assert len(errors) == 1, result.err
    assert ": posts[1].text: template" in errors[0] and message in errors[0], errors[0]
    line = int(errors[0][len(f"error: {path}:"):].split(":", 1)[0])
    assert path.read_text(encoding="utf-8").splitlines()[line - 1].startswith("text = ")


@pytest.mark.parametrize("payload", [
    pytest.param("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", id="nested-loops"),
    pytest.param("{% for a in range(100000) %}{% for b in range(100000) %}{{ '' }}{% endfor %}{% endfor %}", id="nested-loops-empty-output"),
    pytest.param("{% for a in range(100000) %}{{ range(100000)|sum }}{% endfor %}", id="loop-over-c-level-work"),
    pytest.param("{% macro m(n) %}{% for i in range(100000) %}{% endfor %}{% endmacro %}{% for a in range(100000) %}{{ m(a) }}{% endfor %}", id="loop-in-a-macro"),
])
def test_a_post_template_cannot_hang_validate(cli, campaign_copy, payload):
    import time

    path = campaign_copy(lambda t: t.replace(MASTODON_LINE, payload, 1))
    started = time.monotonic()
    result = cli("validate", path)
    elapsed = time.monotonic() - started
    assert result.code == 1
    assert "posts[1].text: template over a limit: rendering took over 2 s" in result.err, result.err
    assert elapsed < 60, elapsed  # the limit is 2 s; this only proves it ends


def test_ordinary_templates_still_work(campaign_copy):
    from outreach.render.posts import render_post

    payload = '{{ report.title|upper }} {{ report.authors|join(", ") }} {{ report.abstract|truncate(40) }} {% for a in report.authors %}[{{ loop.index }}]{% endfor %} {{ "a b"|replace(" ", "-") }} {{ 3 * 4 }} {{ 2 ** 10 }}'
    campaign = load_campaign(campaign_copy(lambda t: t.replace(MASTODON_LINE, payload, 1)))
    text = render_post(campaign, campaign.posts[1], 1).parts[0].text
    assert text.startswith("SOLDIER DEFECTIONS IN MYANMAR Ah Lynn, Helene Maria Kyed Since Myanmar’s military leaders")
    assert "[1][2] a-b 12 1024" in text
