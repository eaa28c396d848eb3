"""The one Jinja environment factory.

Every template outreach renders comes from :func:`template_env` (files:
email, web pages, the preview) or :func:`string_env` (post texts written in
the campaign file). Both are sandboxed with ``StrictUndefined``, so a typo is
an error, not an empty string, and campaign text cannot reach Python
internals. Template lookup order: the campaign's own ``templates/`` folder,
the project's ``templates/`` (working directory), then the packaged defaults.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment


def packaged_templates() -> Path:
    """The default templates: inside the wheel, or the repository's ``templates/`` in a source checkout."""
    inside = Path(__file__).resolve().parent.parent / "templates"
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parents[3] / "templates"


def template_dirs(campaign_folder: Path | None = None) -> list[Path]:
    """Folders searched for templates, most specific first."""
    dirs: list[Path] = []
    if campaign_folder is not None:
        dirs.append(campaign_folder / "templates")
    dirs.append(Path.cwd() / "templates")
    dirs.append(packaged_templates())
    seen: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in seen:
            seen.append(d.resolve())
    return seen


def with_utm(url: str, source: str, medium: str, campaign: str) -> str:
    """Add (or replace) ``utm_source``, ``utm_medium`` and ``utm_campaign`` on ``url``."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_")]
    query += [("utm_source", source), ("utm_medium", medium), ("utm_campaign", campaign)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _common(env: SandboxedEnvironment) -> SandboxedEnvironment:
    env.filters["utm"] = with_utm
    return env


def template_env(campaign_folder: Path | None = None) -> SandboxedEnvironment:
    """Environment for template files; markup files (.html, .mjml, .xml) are autoescaped."""
    return _cached_template_env(tuple(template_dirs(campaign_folder)))


@cache
def _cached_template_env(dirs: Iterable[Path]) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in dirs]),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "mjml", "xml", "html.j2", "mjml.j2", "xml.j2"), default=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return _common(env)


@cache
def string_env() -> SandboxedEnvironment:
    """Environment for post texts written inline in a campaign file (plain text, no autoescape)."""
    return _common(SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False))
