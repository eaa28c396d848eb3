"""The CLI answers --help and --version without importing the application, and nothing imports in a circle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from outreach.commands import COMMANDS

SRC = Path(__file__).resolve().parents[1] / "src" / "outreach"
HEAVY = ("sqlalchemy", "pydantic", "jinja2", "rich", "mjml", "tweepy", "atproto", "mastodon", "apscheduler", "starlette", "PIL")


def _modules_after(*args: str) -> set[str]:
    code = f"import sys\nfrom outreach.cli import main\ntry:\n    main({list(args)!r})\nexcept SystemExit:\n    pass\nprint('\\n'.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return {line.split(".")[0] for line in done.stdout.splitlines()}


@pytest.mark.parametrize("args", [("--version",), ("--help",), ()])
def test_help_and_version_import_nothing_heavy(args) -> None:
    assert not _modules_after(*args) & set(HEAVY)


def test_a_command_imports_only_its_own_module() -> None:
    code = "import sys\nfrom outreach.cli import main\ntry:\n    main(['db', '--help'])\nexcept SystemExit:\n    pass\nprint('\\n'.join(m for m in sys.modules if m.startswith('outreach.commands.')), file=sys.stderr)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert set(done.stderr.split()) == {"outreach.commands.base", "outreach.commands.db_commands"}


def _imports(path: Path) -> set[str]:
    """Absolute names of the outreach modules ``path`` imports (at any depth of the file)."""
    package = ".".join(("outreach", *path.relative_to(SRC).with_suffix("").parts[:-1]))
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            found.add(f"{base}.{node.module}" if node.module else base)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("outreach"):
            found.add(node.module or "")
    return found


def test_command_modules_never_import_the_cli() -> None:
    for info in {c.module for c in COMMANDS.values()}:
        assert "outreach.cli" not in _imports(SRC / "commands" / f"{info}.py"), info
    assert "outreach.cli" not in _imports(SRC / "commands" / "base.py")
