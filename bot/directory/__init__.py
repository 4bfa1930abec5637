"""The support directory: read config/support_directory.yaml, check it whole, answer by need."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.directory.checks import DirectoryChecker
from bot.directory.model import NATIONAL, Directory, Need, SupportService
from config.yamlfile import read_yaml

__all__ = ["NATIONAL", "Directory", "Need", "SupportService", "load_directory"]


def load_directory(path: Path, region_ids: set[str], *, today: date | None = None) -> Directory:
    """Read and check the directory file; any mistake raises ConfigError and nothing is loaded."""
    source = str(path)
    raw = read_yaml(path)
    checker = DirectoryChecker(source, region_ids, today or date.today())
    return checker.directory(raw)
