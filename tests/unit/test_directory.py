"""Tests for the support directory: the shipped file, region order, every mistake, hostile input."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.directory import Directory, Need, SupportService, load_directory
from config.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "config" / "support_directory.yaml"
REGIONS = {"north_west", "north_east", "midlands", "south_west", "south_east"}
TODAY = date(2026, 11, 26)

Doc = dict[str, Any]


def _service(service_id: str, needs: list[str], region: str = "national", **extra: Any) -> Doc:
    """A valid service entry, with any field overridden."""
    entry: Doc = {
        "id": service_id,
        "name": f"Service {service_id}",
        "needs": needs,
        "helps_with": "Helps with things.",
        "phone": "0800 000 0000",
        "open": "Any time",
        "covers": "England",
        "region": region,
        "last_checked": "2026-11-01",
        "source": "https://example.org/page",
    }
    entry.update(extra)
    return entry


def _base() -> Doc:
    """A small valid directory used as the starting point for each mistake."""
    return {
        "needs": [
            {"id": "crisis", "label": "Help right now"},
            {"id": "housing", "label": "Housing"},
            {"id": "bme", "label": "Black and minority ethnic communities", "optional": True},
        ],
        "services": [
            _service("svc_a", ["crisis"], web="https://a.example.org"),
            _service("svc_b", ["housing", "crisis"]),
        ],
    }


def _write(tmp_path: Path, doc: object, name: str = "directory.yaml") -> Path:
    """Write a document as YAML and return its path."""
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _load(path: Path) -> Directory:
    """Load with the test regions and a fixed 'today'."""
    return load_directory(path, REGIONS, today=TODAY)


# --------------------------------------------------------------------------- the shipped file


@pytest.fixture(scope="module")
def shipped() -> Directory:
    """The directory that ships in config/."""
    return load_directory(SHIPPED, REGIONS)


def test_shipped_file_loads_and_every_required_need_has_services(shipped: Directory) -> None:
    """Every need that is not optional has at least one entry, in the agreed order."""
    ids = [need.id for need in shipped.all_needs]
    assert ids[:7] == [
        "crisis",
        "mental_health",
        "drugs_alcohol",
        "housing",
        "money",
        "criminal_justice",
        "domestic_abuse",
    ]
    for need in shipped.all_needs:
        if not need.optional:
            assert shipped.services_for(need.id, None), need.id
    assert shipped.needs()[0].label == "Help right now"


def test_shipped_services_each_have_a_contact_source_and_past_date(shipped: Directory) -> None:
    """Every service can be reached, says where its details came from, and was checked."""
    assert len(shipped.services) >= 25
    for service in shipped.services:
        assert service.phone or service.text or service.web, service.id
        assert service.source.startswith("https://"), service.id
        assert service.last_checked <= date.today(), service.id
        assert service.needs, service.id
        assert service.is_national, service.id


def test_shipped_key_crisis_lines_are_right(shipped: Directory) -> None:
    """The numbers people are most likely to need are exactly as published."""
    samaritans = shipped.get("samaritans")
    assert samaritans is not None
    assert samaritans.phone == "116 123"
    assert samaritans.open.startswith("Any time")
    shout = shipped.get("shout")
    assert shout is not None and shout.text == "Text SHOUT to 85258"
    assert shipped.get("no_such_service") is None
    crisis_ids = [s.id for s in shipped.services_for("crisis", "north_west")]
    assert crisis_ids[0] == "emergency_999"
    assert "samaritans" in crisis_ids


# --------------------------------------------------------------------------- region order


def test_own_region_first_then_national_and_other_regions_hidden(tmp_path: Path) -> None:
    """Members see their region's entries first, then national, file order within each."""
    doc = {
        "needs": [
            {"id": "housing", "label": "Housing"},
            {"id": "money", "label": "Money"},
            {"id": "women", "label": "Women", "optional": True},
        ],
        "services": [
            _service("nat_1", ["housing"]),
            _service("nw_1", ["housing"], region="north_west"),
            _service("se_1", ["housing"], region="south_east"),
            _service("nat_2", ["housing", "money"]),
            _service("nw_2", ["housing"], region="north_west"),
            _service("nw_money", ["money"], region="north_west"),
            _service("nw_women", ["women"], region="north_west"),
        ],
    }
    directory = _load(_write(tmp_path, doc))

    def ids(need: str, region: str | None) -> list[str]:
        """Service ids shown for a need and region."""
        return [s.id for s in directory.services_for(need, region)]

    assert ids("housing", "north_west") == ["nw_1", "nw_2", "nat_1", "nat_2"]
    assert ids("housing", "south_east") == ["se_1", "nat_1", "nat_2"]
    assert ids("housing", "midlands") == ["nat_1", "nat_2"]
    assert ids("housing", None) == ["nat_1", "nat_2"]
    assert ids("money", "north_west") == ["nw_money", "nat_2"]
    assert ids("women", "south_west") == []
    assert [n.id for n in directory.needs()] == ["housing", "money", "women"]
    assert [n.id for n in directory.needs("south_west")] == ["housing", "money"]
    assert [n.id for n in directory.needs("north_west")] == ["housing", "money", "women"]
    with pytest.raises(KeyError):
        directory.services_for("no_such_need", "north_west")
    nw_1 = directory.get("nw_1")
    assert isinstance(nw_1, SupportService) and not nw_1.is_national
    assert directory.need("women") == Need("women", "Women", True)


def test_optional_need_without_services_is_hidden(tmp_path: Path) -> None:
    """An optional need with no entries loads but is not offered to members."""
    directory = _load(_write(tmp_path, _base()))
    assert [n.id for n in directory.needs()] == ["crisis", "housing"]
    assert directory.services_for("bme", "north_west") == []


def test_values_are_tidied(tmp_path: Path) -> None:
    """Spaces around text and inside phone numbers are tidied, dates become dates."""
    doc = _base()
    doc["services"][0].update({"name": "  Spaced  ", "phone": "0800  123   456"})
    service = _load(_write(tmp_path, doc)).services[0]
    assert service.name == "Spaced"
    assert service.phone == "0800 123 456"
    assert service.last_checked == date(2026, 11, 1)
    assert service.needs == ("crisis",)


def test_unquoted_date_is_accepted(tmp_path: Path) -> None:
    """A coordinator can write last_checked without quotes."""
    path = tmp_path / "directory.yaml"
    text = yaml.safe_dump(_base(), sort_keys=False).replace("'2026-11-01'", "2026-11-01")
    assert "last_checked: 2026-11-01" in text
    path.write_text(text, encoding="utf-8")
    assert _load(path).services[0].last_checked == date(2026, 11, 1)


# --------------------------------------------------------------------------- every kind of mistake


def _set(section: str, index: int, field: str, value: object) -> Callable[[Doc], None]:
    """A change that sets one field of one entry."""

    def change(doc: Doc) -> None:
        """Apply the change."""
        doc[section][index][field] = value

    return change


def _drop(section: str, index: int, field: str) -> Callable[[Doc], None]:
    """A change that removes one field of one entry."""

    def change(doc: Doc) -> None:
        """Apply the change."""
        del doc[section][index][field]

    return change


def _no_contact(doc: Doc) -> None:
    """Remove every way of reaching the first service."""
    del doc["services"][0]["phone"]
    del doc["services"][0]["web"]


def _duplicate_service(doc: Doc) -> None:
    """Give two services the same id."""
    doc["services"][1]["id"] = "svc_a"


def _duplicate_need(doc: Doc) -> None:
    """Give two needs the same id."""
    doc["needs"].append({"id": "housing", "label": "Again"})


def _need_without_services(doc: Doc) -> None:
    """Add a required need nobody lists."""
    doc["needs"].append({"id": "money", "label": "Money"})


MISTAKES: list[tuple[str, Callable[[Doc], None], str | None, str]] = [
    ("missing field", _drop("services", 0, "open"), "svc_a", "'open:' line is missing"),
    ("unknown field", _set("services", 0, "phnoe", "0800"), "svc_a", "Did you mean 'phone'"),
    ("name not text", _set("services", 1, "name", 123), "svc_b", "'name' must be words"),
    ("empty text", _set("services", 1, "covers", "  "), "svc_b", "'covers' is empty"),
    ("list as text", _set("services", 1, "open", ["9am"]), "svc_b", "not a list"),
    ("two lines", _set("services", 1, "open", "9am\nto 5pm"), "svc_b", "one line"),
    ("too long", _set("services", 1, "helps_with", "x" * 200), "svc_b", "160 or fewer"),
    ("phone as number", _set("services", 1, "phone", 8001234), "svc_b", "double quotes"),
    ("phone letters", _set("services", 1, "phone", "0800 FRANK"), "svc_b", "digits and spaces"),
    ("phone short", _set("services", 1, "phone", "12"), "svc_b", "has 2 digits"),
    ("needs not list", _set("services", 1, "needs", []), "svc_b", "at least one need"),
    ("unknown need", _set("services", 1, "needs", ["housng"]), "svc_b", "Did you mean 'housing'"),
    ("need twice", _set("services", 1, "needs", ["crisis", "crisis"]), "svc_b", "listed twice"),
    ("unknown region", _set("services", 1, "region", "london"), "svc_b", "'region' is 'london'"),
    ("no contact", _no_contact, "svc_a", "no way to reach"),
    ("web not url", _set("services", 0, "web", "www.a.org"), "svc_a", "not a full web address"),
    ("http source", _set("services", 0, "source", "http://a.org"), "svc_a", "start https://"),
    ("url space", _set("services", 0, "web", "https://a.org/x y"), "svc_a", "no spaces"),
    ("url no host", _set("services", 0, "web", "https://"), "svc_a", "not a full web address"),
    ("date format", _set("services", 0, "last_checked", "26/11/2026"), "svc_a", "YYYY-MM-DD"),
    ("date unreal", _set("services", 0, "last_checked", "2026-02-30"), "svc_a", "not a real date"),
    ("date future", _set("services", 0, "last_checked", "2027-01-01"), "svc_a", "in the future"),
    ("date missing", _drop("services", 0, "last_checked"), "svc_a", "'last_checked:' line"),
    ("bad service id", _set("services", 0, "id", "Svc A"), "service 1", "lower-case"),
    ("duplicate service", _duplicate_service, "svc_a", "two services have this id"),
    ("duplicate need", _duplicate_need, "housing", "two needs have this id"),
    ("need no label", _drop("needs", 1, "label"), "housing", "'label:' line is missing"),
    ("need optional", _set("needs", 1, "optional", "maybe"), "housing", "true or false"),
    ("need unused", _need_without_services, "money", "optional: true"),
    ("need unknown field", _set("needs", 0, "colour", "red"), "crisis", "not a field"),
]


@pytest.mark.parametrize(
    ("change", "entry", "words"),
    [pytest.param(change, entry, words, id=name) for name, change, entry, words in MISTAKES],
)
def test_each_mistake_names_file_entry_and_problem(
    tmp_path: Path, change: Callable[[Doc], None], entry: str | None, words: str
) -> None:
    """A mistake stops loading with the file, the entry and what is wrong."""
    doc = copy.deepcopy(_base())
    change(doc)
    path = _write(tmp_path, doc)
    with pytest.raises(ConfigError) as caught:
        _load(path)
    error = caught.value
    assert error.source == str(path)
    assert error.entry == entry
    assert words in error.problem
    assert str(path) in str(error)


@pytest.mark.parametrize(
    ("doc", "entry", "words"),
    [
        pytest.param({"needs": [], "services": []}, "needs", "list of needs", id="no needs"),
        pytest.param({**_base(), "services": "none"}, "services", "list of services", id="svcs"),
        pytest.param({"services": []}, None, "'needs:' line is missing", id="needs missing"),
        pytest.param({**_base(), "extra": 1}, None, "'extra' is not a field", id="top extra"),
        pytest.param([1, 2], None, "not a list", id="top list"),
        pytest.param("just words", None, "not a list or text", id="top text"),
        pytest.param({**_base(), "needs": ["crisis"]}, "need 1", "'id:' and 'label:'", id="need"),
        pytest.param(
            {**_base(), "services": [*_base()["services"], "x"]},
            "service 3",
            "each service",
            id="service not a mapping",
        ),
    ],
)
def test_wrong_shapes(tmp_path: Path, doc: object, entry: str | None, words: str) -> None:
    """The file's overall shape is checked before anything else."""
    path = _write(tmp_path, doc)
    with pytest.raises(ConfigError) as caught:
        _load(path)
    assert caught.value.source == str(path)
    assert caught.value.entry == entry
    assert words in caught.value.problem


GOOD_TEXT = yaml.safe_dump(_base(), sort_keys=False)


@pytest.mark.parametrize(
    ("text", "entry", "words"),
    [
        pytest.param("needs:\n  - id: a\n   label: b\n", "line 3", "near line 3", id="indent"),
        pytest.param("needs: [a\n", "line 2", "not valid YAML near line", id="unclosed"),
        pytest.param(
            GOOD_TEXT.replace("  name: Service svc_a\n", "  name: A\n  name: B\n", 1),
            "line 12",
            "'name' is written twice",
            id="duplicate key",
        ),
        pytest.param("needs:\n\t- id: a\n", "line 2", "tab", id="tab"),
        pytest.param("", None, "empty", id="empty"),
        pytest.param("# only a comment\n", None, "empty", id="comment only"),
        pytest.param("!!python/object/apply:os.system ['true']\n", "line 1", "line 1", id="tag"),
        pytest.param("a: 1\n---\nb: 2\n", "line 2", "near line 2", id="two documents"),
    ],
)
def test_unreadable_yaml_gives_line(
    tmp_path: Path, text: str, entry: str | None, words: str
) -> None:
    """YAML that does not parse is reported with its line number."""
    path = tmp_path / "directory.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        _load(path)
    assert caught.value.source == str(path)
    assert caught.value.entry == entry
    assert words in caught.value.problem


def test_missing_file_and_bad_bytes(tmp_path: Path) -> None:
    """A missing file or one that is not UTF-8 is a plain ConfigError."""
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match="missing"):
        _load(missing)
    broken = tmp_path / "broken.yaml"
    broken.write_bytes(b"needs:\n  - id: \xff\xfe\n")
    with pytest.raises(ConfigError) as caught:
        _load(broken)
    assert caught.value.entry == "line 2"
    assert "UTF-8" in caught.value.problem


def test_mistake_in_last_entry_loads_nothing(tmp_path: Path) -> None:
    """All or nothing: one bad entry at the very end stops the whole directory."""
    doc = _base()
    doc["services"].extend(_service(f"ok_{n}", ["housing"]) for n in range(20))
    doc["services"].append(_service("bad_last", ["housing"], region="atlantis"))
    with pytest.raises(ConfigError) as caught:
        _load(_write(tmp_path, doc))
    assert caught.value.entry == "bad_last"


# --------------------------------------------------------------------------- hostile input

_HOSTILE = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["", "https://", "2026-02-30", "national", "crisis", "0800", "  ", "\n"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=12), st.integers()), inner, max_size=4),
    ),
    max_leaves=12,
)
_fields = st.sampled_from(
    sorted(
        {"id", "name", "needs", "helps_with", "phone", "text", "web", "open", "covers", "region"}
        | {"last_checked", "source", "label", "optional", "other"}
    )
)


def _assert_only_config_errors(path: Path) -> None:
    """Loading either succeeds or raises ConfigError naming the file; nothing else escapes."""
    try:
        directory = _load(path)
    except ConfigError as error:
        assert error.source == str(path)
        assert error.problem
    else:
        assert isinstance(directory, Directory)


@_HOSTILE
@given(text=st.text(max_size=300))
def test_hostile_text_raises_only_config_error(tmp_path: Path, text: str) -> None:
    """Any text at all either loads or gives a ConfigError."""
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    _assert_only_config_errors(path)


@_HOSTILE
@given(data=st.binary(max_size=200))
def test_hostile_bytes_raise_only_config_error(tmp_path: Path, data: bytes) -> None:
    """Any bytes at all either load or give a ConfigError."""
    path = tmp_path / "hostile.yaml"
    path.write_bytes(data)
    _assert_only_config_errors(path)


@_HOSTILE
@given(doc=_values)
def test_hostile_structures_raise_only_config_error(tmp_path: Path, doc: object) -> None:
    """Any YAML structure at all either loads or gives a ConfigError."""
    _assert_only_config_errors(_write(tmp_path, doc, "hostile.yaml"))


@_HOSTILE
@given(
    section=st.sampled_from(["needs", "services"]),
    index=st.integers(min_value=0, max_value=1),
    field=_fields,
    value=_values,
)
def test_hostile_field_values_raise_only_config_error(
    tmp_path: Path, section: str, index: int, field: str, value: object
) -> None:
    """Any value in any field of an otherwise good file either loads or gives a ConfigError."""
    doc = copy.deepcopy(_base())
    doc[section][index][field] = value
    _assert_only_config_errors(_write(tmp_path, doc, "hostile.yaml"))
