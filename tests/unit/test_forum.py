"""The forum file: the shipped regions and hubs, and a clear message for each mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.forum import Forum, load_forum
from config.errors import ConfigError
from config.settings import CONFIG_DIR

SHIPPED = CONFIG_DIR / "forum.yaml"
REGION_NAMES = ["North West", "North East", "Midlands", "South West", "South East"]


@pytest.fixture(scope="module")
def shipped() -> Forum:
    return load_forum(SHIPPED)


def test_shipped_file_has_five_regions_in_order(shipped: Forum) -> None:
    assert [region.name for region in shipped.regions] == REGION_NAMES
    assert (shipped.target_members, shipped.target_hubs_per_region) == (200, 2)


def test_shipped_regions_have_two_placeholder_hubs_each(shipped: Forum) -> None:
    for region in shipped.regions:
        assert len(region.hubs) == 2, region.name
        for hub in region.hubs:
            assert "placeholder" in hub.name.lower(), hub.name
            assert hub.name.startswith(region.name), hub.name
            assert hub.region_id == region.id
            assert shipped.hub(hub.id) == hub


def test_shipped_ids_are_unique(shipped: Forum) -> None:
    ids = [region.id for region in shipped.regions]
    ids += [hub.id for region in shipped.regions for hub in region.hubs]
    assert len(ids) == len(set(ids)) == 15


def test_lookups(shipped: Forum) -> None:
    assert shipped.region_name("north_west") == "North West"
    assert shipped.hub_name("se_hub_2") == "South East hub 2 (placeholder name)"
    assert shipped.region(None) is None
    assert shipped.hub("no_such_hub") is None
    assert shipped.region_name("atlantis") is None
    assert shipped.region_ids() == {
        "north_west",
        "north_east",
        "midlands",
        "south_west",
        "south_east",
    }


def _doc() -> dict:
    """A small valid forum file to break in one place."""
    return {
        "targets": {"members": 50, "hubs_per_region": 1},
        "regions": [
            {"id": "north", "name": "North", "hubs": [{"id": "n1", "name": "Hub N1"}]},
            {"id": "south", "name": "South", "hubs": [{"id": "s1", "name": "Hub S1"}]},
        ],
    }


def _write(tmp_path: Path, doc: object) -> Path:
    path = tmp_path / "forum.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_a_valid_small_file_loads_with_names_trimmed(tmp_path: Path) -> None:
    doc = _doc()
    doc["regions"][0]["name"] = "  North  "
    forum = load_forum(_write(tmp_path, doc))

    assert forum.region_name("north") == "North"
    assert forum.hub("s1") is not None
    assert (forum.target_members, forum.target_hubs_per_region) == (50, 1)


def test_bad_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "forum.yaml"
    path.write_text("regions:\n  - id: north\n    name: [unclosed\n", encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_forum(path)

    assert str(path) in str(caught.value)
    assert "not valid YAML" in str(caught.value)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"

    with pytest.raises(ConfigError, match="cannot read the file") as caught:
        load_forum(path)

    assert caught.value.source == str(path)


def _break(doc: dict, where: str) -> dict:
    """Apply one named mistake to a valid document."""
    regions = doc["regions"]
    if where == "duplicate region id":
        regions[1]["id"] = "north"
    elif where == "hub id same as a region id":
        regions[1]["hubs"][0]["id"] = "north"
    elif where == "duplicate hub id":
        regions[1]["hubs"][0]["id"] = "n1"
    elif where == "region without name":
        del regions[1]["name"]
    elif where == "region with blank name":
        regions[1]["name"] = "   "
    elif where == "hub without name":
        del regions[0]["hubs"][0]["name"]
    elif where == "region id with spaces":
        regions[1]["id"] = "South West"
    elif where == "region id too long":
        regions[1]["id"] = "s" * 25
    elif where == "hub id upper case":
        regions[0]["hubs"][0]["id"] = "N1"
    elif where == "numeric region id":
        regions[0]["id"] = 7
    elif where == "region without hubs":
        regions[1]["hubs"] = []
    elif where == "bad member target":
        doc["targets"]["members"] = "lots"
    elif where == "zero hub target":
        doc["targets"]["hubs_per_region"] = 0
    return doc


@pytest.mark.parametrize(
    ("where", "entry", "words"),
    [
        ("duplicate region id", "north", "used twice"),
        ("hub id same as a region id", "north", "used twice"),
        ("duplicate hub id", "n1", "used twice"),
        ("region without name", "south", "needs a name"),
        ("region with blank name", "south", "needs a name"),
        ("hub without name", "n1", "needs a name"),
        ("region id with spaces", "region 2", "lower-case"),
        ("region id too long", "region 2", "1 to 24"),
        ("hub id upper case", "north hub 1", "lower-case"),
        ("numeric region id", "region 1", "lower-case"),
        ("region without hubs", "south", "hubs"),
        ("bad member target", "targets.members", "whole number"),
        ("zero hub target", "targets.hubs_per_region", "whole number"),
    ],
)
def test_each_mistake_names_the_entry(tmp_path: Path, where: str, entry: str, words: str) -> None:
    path = _write(tmp_path, _break(_doc(), where))

    with pytest.raises(ConfigError) as caught:
        load_forum(path)

    assert caught.value.entry == entry
    assert f"entry {entry!r}" in str(caught.value)
    assert str(path) in str(caught.value)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    "doc",
    [None, [], "regions", {"regions": []}, {"regions": "north"}, {"regions": [1]}],
    ids=["empty", "list", "text", "no regions", "regions not a list", "region not a map"],
)
def test_wrong_shapes_are_refused(tmp_path: Path, doc: object) -> None:
    with pytest.raises(ConfigError):
        load_forum(_write(tmp_path, doc))
