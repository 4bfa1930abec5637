"""ARCHITECTURE.md names every module of bot/, handlers/ and storage/, so the page stays true."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "ARCHITECTURE.md"
LAYERS = ("bot", "handlers", "storage")


def modules() -> list[str]:
    """Every .py file under the layers, as a path from the repository root."""
    found = []
    for layer in LAYERS:
        for path in (ROOT / layer).rglob("*.py"):
            if "__pycache__" not in path.parts:
                found.append(path.relative_to(ROOT).as_posix())
    return sorted(found)


def named(module: str, page: str) -> bool:
    """Whether the page names a module: its whole path anywhere, or its file name on a line
    (a table row) that names its folder; a package's ``__init__.py`` by the folder alone."""
    folder, _, name = module.rpartition("/")
    if module in page:
        return True
    if name == "__init__.py":
        return re.search(rf"(?<![\w/]){re.escape(folder)}/?(?![\w/.])", page) is not None
    short = re.compile(rf"(?<![\w/.]){re.escape(name)}(?!\w)")
    # The folder itself (`bot/delivery/`) or another file in it (`bot/delivery/worker.py`).
    place = re.compile(rf"(?<![\w/]){re.escape(folder)}/(?:\w+\.py)?(?![\w/])")
    return any(place.search(line) and short.search(line) for line in page.splitlines())


def test_the_rule_reads_paths_short_names_and_folders() -> None:
    """The rule itself: a full path, a short name beside its folder, a package by its folder."""
    page = (
        "| `bot/app.py` | the root |\n"
        "| `bot/delivery/` | `worker.py` (claims rows), `limiter.py` |\n"
        "| `storage/audit.py` | the log; see `bot/services/` and members.py |\n"
    )
    assert named("bot/app.py", page)
    assert named("bot/delivery/worker.py", page)
    assert named("bot/delivery/__init__.py", page)
    assert not named("bot/delivery/quiet.py", page)
    assert named("storage/roles.py", page + "| `storage/audit.py`, `roles.py` | |\n")
    assert not named("bot/services/members.py", page.replace("`bot/services/`", "bot/services/x/"))
    assert not named("storage/members.py", page.replace("storage/audit.py", "bot/audit.py"))
    assert not named("bot/other/limiter.py", page)
    assert not named("bot/app/__init__.py", "| `bot/app.py` | the root |")


def test_every_module_is_on_the_architecture_page() -> None:
    """A module missing here needs a row (or a mention in its folder's row) in ARCHITECTURE.md."""
    page = PAGE.read_text(encoding="utf-8")
    found = modules()
    assert len(found) > 50
    missing = [module for module in found if not named(module, page)]
    assert not missing, f"ARCHITECTURE.md does not name: {', '.join(missing)}"


def test_every_path_the_page_names_exists() -> None:
    """A module or folder moved or removed needs its row changed too."""
    page = PAGE.read_text(encoding="utf-8")
    named_paths = set(re.findall(r"`((?:bot|handlers|storage|config)/[\w/]*(?:\.py|/))`", page))
    assert len(named_paths) > 50
    gone = sorted(path for path in named_paths if not (ROOT / path).exists())
    assert not gone, f"ARCHITECTURE.md names what is not there: {', '.join(gone)}"
