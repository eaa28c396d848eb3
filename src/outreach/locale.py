"""Languages and countries as subscribers and audiences name them: one normal form, and names in words.

A language is a BCP 47 tag, kept lower-case (``en``, ``da``, ``pt-br``); a country is an
ISO 3166-1 alpha-2 code, kept upper-case (``DK``). Both are compared in that form
everywhere: a CSV cell, a sign-up form, a campaign's audience filter.
"""

from __future__ import annotations

import re

_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8}){0,3}$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")

# English names for the languages a European institute's readers most often have; others are shown by code.
LANGUAGE_NAMES = {
    "ar": "Arabic", "da": "Danish", "de": "German", "en": "English", "es": "Spanish", "fi": "Finnish",
    "fr": "French", "is": "Icelandic", "it": "Italian", "ja": "Japanese", "my": "Burmese", "nb": "Norwegian Bokmål",
    "nl": "Dutch", "nn": "Norwegian Nynorsk", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ru": "Russian",
    "sv": "Swedish", "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "zh": "Chinese",
}


def normalise_language(raw: str) -> str:
    """``raw`` as a lower-case BCP 47 tag (``en_GB`` -> ``en-gb``); raise ``ValueError`` with the reason."""
    tag = (raw or "").strip().replace("_", "-").lower()
    if not _LANGUAGE_RE.match(tag):
        raise ValueError(f"'{raw.strip()[:40]}' is not a language tag like 'en', 'da' or 'pt-BR'")
    return tag


def normalise_country(raw: str) -> str:
    """``raw`` as an upper-case ISO 3166-1 alpha-2 code; raise ``ValueError`` with the reason."""
    code = (raw or "").strip().upper()
    if not _COUNTRY_RE.match(code):
        raise ValueError(f"'{raw.strip()[:40]}' is not a two-letter country code like 'DK'")
    return code


def language_name(tag: str) -> str:
    """``English`` for ``en``, ``English (GB)`` for ``en-gb``; the tag itself for a language not in the table."""
    primary, _, region = tag.partition("-")
    name = LANGUAGE_NAMES.get(primary)
    if name is None:
        return tag
    return f"{name} ({region.upper()})" if region else name
