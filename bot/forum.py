"""The forum's regions and hubs, read from config/forum.yaml and checked whole."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from config.errors import ConfigError
from config.yamlfile import read_yaml

_ID = re.compile(r"^[a-z0-9_]{1,24}$")


@dataclass(frozen=True)
class Hub:
    """One hub within a region."""

    id: str
    name: str
    region_id: str


@dataclass(frozen=True)
class Region:
    """One region and its hubs, in file order."""

    id: str
    name: str
    hubs: tuple[Hub, ...]


@dataclass(frozen=True)
class Forum:
    """The whole structure: regions, hubs and the membership targets."""

    regions: tuple[Region, ...]
    target_members: int
    target_hubs_per_region: int

    def region(self, region_id: str | None) -> Region | None:
        """The region with this id, or None."""
        return next((r for r in self.regions if r.id == region_id), None)

    def hub(self, hub_id: str | None) -> Hub | None:
        """The hub with this id, or None."""
        for region in self.regions:
            for hub in region.hubs:
                if hub.id == hub_id:
                    return hub
        return None

    def region_ids(self) -> set[str]:
        """All region ids."""
        return {r.id for r in self.regions}

    def region_name(self, region_id: str | None) -> str | None:
        """The region's display name, or None when unknown or unset."""
        region = self.region(region_id)
        return region.name if region else None

    def hub_name(self, hub_id: str | None) -> str | None:
        """The hub's display name, or None when unknown or unset."""
        hub = self.hub(hub_id)
        return hub.name if hub else None


def load_forum(path: Path) -> Forum:
    """Read and check the forum file; any mistake raises ConfigError naming it."""
    source = str(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("regions"), list) or not raw["regions"]:
        raise ConfigError(source, "the file needs a 'regions:' list with at least one region")
    targets = raw.get("targets") or {}
    if not isinstance(targets, dict):
        raise ConfigError(source, "'targets' must have 'members' and 'hubs_per_region'")
    target_members = targets.get("members", 200)
    target_hubs = targets.get("hubs_per_region", 2)
    for name, value in (("members", target_members), ("hubs_per_region", target_hubs)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(source, "must be a whole number above 0", entry=f"targets.{name}")
    regions: list[Region] = []
    seen: set[str] = set()
    for position, item in enumerate(raw["regions"], start=1):
        regions.append(_region(source, position, item, seen))
    return Forum(tuple(regions), target_members, target_hubs)


def _region(source: str, position: int, item: object, seen: set[str]) -> Region:
    """Check one region entry and its hubs."""
    region_id, name = _id_and_name(
        source, f"region {position}", item, seen, "region", "each region needs id, name and hubs"
    )
    assert isinstance(item, dict)
    hubs_raw = item.get("hubs")
    if not isinstance(hubs_raw, list) or not hubs_raw:
        raise ConfigError(source, "the region needs a 'hubs:' list", entry=region_id)
    hubs = []
    for hub_position, hub in enumerate(hubs_raw, start=1):
        hub_label = f"{region_id} hub {hub_position}"
        hub_id, hub_name = _id_and_name(
            source, hub_label, hub, seen, "hub", "each hub needs id and name"
        )
        hubs.append(Hub(hub_id, hub_name, region_id))
    return Region(region_id, name, tuple(hubs))


def _id_and_name(
    source: str, label: str, item: object, seen: set[str], what: str, shape: str
) -> tuple[str, str]:
    """A region's or hub's checked id and name (stripped); ``shape`` says what an entry
    needs when it is not a group of fields."""
    if not isinstance(item, dict):
        raise ConfigError(source, shape, entry=label)
    entry_id = _checked_id(source, label, item.get("id"), seen)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(source, f"the {what} needs a name", entry=entry_id)
    return entry_id, name.strip()


def _checked_id(source: str, label: str, value: object, seen: set[str]) -> str:
    """Check that an id is short, lower case and unique in the file."""
    if not isinstance(value, str) or not _ID.match(value):
        raise ConfigError(
            source, "the id must be 1 to 24 lower-case letters, digits or _", entry=label
        )
    if value in seen:
        raise ConfigError(source, "this id is used twice; ids must be unique", entry=value)
    seen.add(value)
    return value
