"""The sandbox's environment settings: its port and where it keeps its database."""

from pathlib import Path

import pytest

from sandbox.__main__ import DEFAULT_PORT, database_from_env, port_from_env


def test_port_defaults_and_reads_a_number(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SANDBOX_PORT gives 8080; a number is used; anything else is refused, naming it."""
    monkeypatch.delenv("SANDBOX_PORT", raising=False)
    assert port_from_env() == DEFAULT_PORT
    monkeypatch.setenv("SANDBOX_PORT", " 8091 ")
    assert port_from_env() == 8091
    for bad in ("0", "70000", "80a", "-1"):
        monkeypatch.setenv("SANDBOX_PORT", bad)
        with pytest.raises(ValueError, match=bad):
            port_from_env()


def test_a_second_sandbox_can_keep_its_own_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """SANDBOX_DATABASE moves the database; unset or blank keeps the default."""
    monkeypatch.delenv("SANDBOX_DATABASE", raising=False)
    assert database_from_env() == {}
    monkeypatch.setenv("SANDBOX_DATABASE", "  ")
    assert database_from_env() == {}
    monkeypatch.setenv("SANDBOX_DATABASE", "/tmp/second/sandbox.db")
    assert database_from_env() == {"database_path": Path("/tmp/second/sandbox.db")}
