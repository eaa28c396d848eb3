"""Issue 15's quality bar on the six saved pages: every field of the written campaign is right, or flagged ``# CHECK:``.

The campaign file is read back as a person would read it: a ``# CHECK:`` comment
flags the key on the next line that is not a comment, in the table it sits in.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from outreach.config import Config
from outreach.draft.run import draft_campaign
from outreach.validate import check
from outreach.campaign import load_campaign
from tests.draft.pages.expected import PAGES, ExpectedPage

HEADER = re.compile(r"^\s*\[\[?([a-z_]+)\]\]?\s*$")


def flagged_keys(text: str) -> set[str]:
    """``report.url``, ``experts[0].name``, ``posts[1].text``… for every key under a ``# CHECK:`` line.

    A ``# CHECK:`` comment that names a key missing from the file ("published: …") flags that key too.
    """
    flagged, table, counts, pending = set(), "", {}, False
    for line in text.splitlines():
        stripped = line.strip()
        if header := HEADER.match(stripped):
            name = header.group(1)
            counts[name] = counts.get(name, -1) + 1
            table = f"{name}[{counts[name]}]" if stripped.startswith("[[") else name
            continue
        if stripped.startswith("# CHECK:"):
            pending = True
            if named := re.match(r"# CHECK: ([a-z_]+):", stripped):
                flagged.add(f"{table}.{named.group(1)}")
            continue
        if pending and stripped and not stripped.startswith("#") and "=" in stripped:
            flagged.add(f"{table}.{stripped.split('=')[0].strip()}" if table else stripped.split("=")[0].strip())
            pending = False
    return flagged


def _same(a: object, b: object) -> bool:
    norm = lambda v: re.sub(r"\s+", " ", re.sub(r"[’'´]", "'", str(v))).strip().casefold()  # noqa: E731
    return norm(a) == norm(b)


def _report_fields(page: ExpectedPage, report: dict, flagged: set[str]) -> list[str]:
    """The names of the report's fields that are neither right nor flagged."""
    wrong = []
    plain = {"title": page.title, "subtitle": page.subtitle, "headline": page.headline, "series": page.series,
             "url": page.url}
    for name, want in plain.items():
        got = report.get(name, "")
        right = want is not None and _same(got, want)
        if not right and f"report.{name}" not in flagged:
            wrong.append(f"report.{name}: {got!r} (the page says {want!r})")
    for name, want in {"authors": page.authors, "regions": page.regions, "topics": page.topics}.items():
        got = tuple(report.get(name, ()))
        if not (want and len(got) == len(want) and all(map(_same, got, want))) and f"report.{name}" not in flagged:
            wrong.append(f"report.{name}: {got!r} (the page says {want!r})")
    if report.get("published") != page.published and "report.published" not in flagged:
        wrong.append(f"report.published: {report.get('published')!r} (the page says {page.published!r})")
    starts = page.abstract_starts or "\0"
    if not _same(report["abstract"][: len(starts)], starts) and "report.abstract" not in flagged:
        wrong.append(f"report.abstract starts {report['abstract'][:40]!r}")
    if "report.cover" not in flagged and not (page.cover and report.get("cover", {}).get("alt", "") in ("", page.cover_alt)):
        wrong.append("report.cover: neither the page's own nor flagged")
    return wrong


def _expert_fields(page: ExpectedPage, experts: list[dict], flagged: set[str]) -> list[str]:
    wrong = []
    for index, want in enumerate(page.experts[: len(experts)]):
        got = experts[index]
        for part in ("name", "role", "unit", "phone", "email"):
            value, right = got.get(part, ""), getattr(want, part)
            if not _same(value, right) and not {f"experts[{index}].{part}", f"experts[{index}].name"} & flagged:
                wrong.append(f"experts[{index}].{part}: {value!r} (the page says {right!r})")
    if len(experts) < len(page.experts) or not page.experts:
        if "experts[0].name" not in flagged:
            wrong.append(f"experts: {len(experts)} drafted, the page names {len(page.experts)}")
    return wrong


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_field_is_right_or_flagged_and_the_draft_validates(name: str, tmp_path: Path) -> None:
    page = PAGES[name]
    config = Config()
    result = draft_campaign(str(page.path), config, out=tmp_path / "campaigns")
    text = result.path.read_text(encoding="utf-8")
    data, flagged = tomllib.loads(text), flagged_keys(text)
    wrong = _report_fields(page, data["report"], flagged) + _expert_fields(page, data["experts"], flagged)
    assert not wrong, "\n".join(wrong)
    # Drafted pieces and guesses are always flagged; what the page states plainly is right.
    assert {"email.subject", "email.preheader", "email.send_at"} <= flagged
    assert all(f"posts[{i}].at" in flagged for i in range(len(data["posts"])))
    assert _same(data["report"]["title"], page.title) and _same(data["experts"][0]["name"], page.experts[0].name)
    checked = check(load_campaign(result.path), config)
    assert not checked.errors, [str(e) for e in checked.errors]


def test_the_reader_of_flags_sees_a_flag_and_misses_none() -> None:
    """The helper above is itself tested: a flag applies to the next key of its own table only."""
    text = '[report]\n# CHECK: why\ntitle = "a"\nurl = "b"\n# CHECK: published: none\n[[experts]]\n# CHECK: x\nname = "n"\n'
    assert flagged_keys(text) == {"report.title", "report.published", "experts[0].name"}
