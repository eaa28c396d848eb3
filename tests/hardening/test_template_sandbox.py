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
