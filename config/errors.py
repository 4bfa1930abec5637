"""The one error type for a setting or data file that is wrong, naming what to fix."""

from __future__ import annotations


class ConfigError(Exception):
    """A setting or data file is wrong; the message names the file, the entry and the fix."""

    def __init__(self, source: str, problem: str, entry: str | None = None) -> None:
        self.source = source
        self.entry = entry
        self.problem = problem
        where = f"{source}, entry {entry!r}" if entry else source
        super().__init__(f"{where}: {problem}")
