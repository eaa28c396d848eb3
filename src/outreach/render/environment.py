"""The one Jinja environment factory.

Every template file outreach renders (email, web pages, the preview) comes
from :func:`template_env`; post texts written in the campaign file render in
:mod:`outreach.render.sandbox`, which adds time and size limits. Both are
sandboxed with ``StrictUndefined``, so a typo is an error, not an empty
string, and campaign text cannot reach Python internals. Template lookup: ``email/...`` templates from the campaign's own
``templates/email/`` folder first, then the packaged templates. A campaign
folder can override email templates only: the preview (what a reviewer
approves) and the web pages always come from the package, and nothing
depends on the directory the process started in. What an email template
renders is covered by the approval hash (:attr:`outreach.plan.Plan.hashes`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jinja2 import BaseLoader, ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined, TemplateNotFound, select_autoescape
from jinja2.sandbox import SandboxedEnvironment


def packaged_templates() -> Path:
    """The default templates: inside the wheel, or the repository's ``templates/`` in a source checkout."""
    inside = Path(__file__).resolve().parent.parent / "templates"
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parents[3] / "templates"


OVERRIDABLE = "email"  # the only template folder a campaign may override


def template_dirs(campaign_folder: Path | None = None) -> list[Path]:
    """Folders searched for templates, most specific first (the campaign's serves ``email/`` templates only)."""
    dirs: list[Path] = []
    if campaign_folder is not None and (campaign_folder / "templates" / OVERRIDABLE).is_dir():
        dirs.append((campaign_folder / "templates").resolve())
    dirs.append(packaged_templates())
    return dirs


class _ConfinedLoader(FileSystemLoader):
    """A file loader that refuses a template whose real path (symlinks followed) is outside its folder."""

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = super().get_source(environment, template)
        root = Path(self.searchpath[0]).resolve()
        if filename is None or not Path(filename).resolve().is_relative_to(root):
            raise TemplateNotFound(template)
        return source, filename, uptodate


def _loader(dirs: Iterable[Path]) -> BaseLoader:
    *campaign, packaged = list(dirs)
    loaders: list[BaseLoader] = [PrefixLoader({OVERRIDABLE: _ConfinedLoader(str(d / OVERRIDABLE))}) for d in campaign]
    return ChoiceLoader([*loaders, FileSystemLoader(str(packaged))])


def with_utm(url: str, source: str, medium: str, campaign: str) -> str:
    """Add (or replace) ``utm_source``, ``utm_medium`` and ``utm_campaign`` on ``url``."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_")]
    query += [("utm_source", source), ("utm_medium", medium), ("utm_campaign", campaign)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def common(env: SandboxedEnvironment) -> SandboxedEnvironment:
    """Add outreach's filters (``utm``) to ``env``."""
    env.filters["utm"] = with_utm
    return env


def template_env(campaign_folder: Path | None = None) -> SandboxedEnvironment:
    """Environment for template files; markup files (.html, .mjml, .xml) are autoescaped.

    With a campaign folder the environment is built afresh: a cached one would
    keep serving a packaged template after the campaign gained its own copy.
    """
    dirs = tuple(template_dirs(campaign_folder))
    return _packaged_env() if len(dirs) == 1 else _build_env(dirs)


@cache
def _packaged_env() -> SandboxedEnvironment:
    return _build_env((packaged_templates(),))


def _build_env(dirs: tuple[Path, ...]) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=_loader(dirs),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "mjml", "xml", "html.j2", "mjml.j2", "xml.j2"), default=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return common(env)
