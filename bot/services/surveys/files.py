"""Survey files in config/surveys/: each read strictly into a `Survey`, every mistake a ConfigError.

A survey file is written by forum members and staff, not programmers, so each mistake names the
file, the line and what to write instead: an unknown kind or key (with the nearest spelling), a
missing text, a choice question with too few or too many options, ids used twice, a skip rule
(`show_if`) that points at a later, missing or unanswerable question or makes a loop, and so on.
The format is documented at the top of `config/surveys/example.yaml` and in the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.services.surveys.definition import Survey
from bot.services.surveys.file_checks import KEY_PATTERN, LARGEST_FILE, SUFFIX
from bot.services.surveys.file_reader import SurveyReader
from config.errors import ConfigError
from config.yamlfile import read_yaml


@dataclass(frozen=True)
class SurveyFile:
    """One file in the surveys folder: its key and either the survey or what is wrong with it."""

    key: str
    path: Path
    survey: Survey | None
    error: ConfigError | None


def read_survey(path: Path) -> Survey:
    """Read and check one survey file; any mistake raises ConfigError and nothing is read."""
    path = Path(path)
    source = str(path)
    key = path.stem
    if path.suffix != SUFFIX:
        raise ConfigError(source, f"a survey file's name must end in {SUFFIX}. Rename it.")
    if not KEY_PATTERN.match(key):
        raise ConfigError(
            source,
            f"the file name '{path.name}' must be 1 to 32 lower-case letters, digits or _ "
            f"and then {SUFFIX}, like getting_help_2027{SUFFIX}. Rename the file.",
        )
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # read_yaml says why it cannot be read
    if size > LARGEST_FILE:
        raise ConfigError(
            source,
            f"the file has {size:,} bytes; a survey file may have at most {LARGEST_FILE:,}. "
            "Check it is the right file, or split the survey in two.",
        )
    return SurveyReader(source).survey(key, read_yaml(path))


def survey_files(folder: Path) -> list[SurveyFile]:
    """Every survey file in the folder by name, each read and checked; a broken one carries its
    error. A missing folder raises ConfigError."""
    return [_one(path) for path in _paths(Path(folder))]


def check_survey_folder(folder: Path) -> list[Survey]:
    """Every survey in the folder, all or nothing: the first broken file raises its ConfigError
    (start-up and `python -m bot check`)."""
    surveys = []
    for path in _paths(Path(folder)):
        surveys.append(read_survey(path))
    return surveys


def survey_path(folder: Path, key: str) -> Path:
    """The file of the survey with this key; a key that cannot be a file name raises
    ConfigError (so a key from elsewhere never reaches outside the folder)."""
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise ConfigError(str(folder), f"there is no survey file called {key!r}.")
    return Path(folder) / f"{key}{SUFFIX}"


def read_survey_key(folder: Path, key: str) -> Survey:
    """The survey in ``<folder>/<key>.yaml``, read now; ConfigError if missing or broken."""
    return read_survey(survey_path(folder, key))


def _paths(folder: Path) -> list[Path]:
    """The survey files in a folder, by name: *.yaml, and *.yml so its wrong name is shown."""
    if not folder.is_dir():
        raise ConfigError(
            str(folder),
            "the surveys folder is missing. Create it (it may be empty), or set SURVEYS_DIR "
            "to the folder that holds the survey files.",
        )
    return sorted(
        path
        for path in folder.iterdir()
        if path.suffix in (SUFFIX, ".yml") and not path.name.startswith(".") and path.is_file()
    )


def _one(path: Path) -> SurveyFile:
    """One file read, or its error."""
    key = path.name[: -len(path.suffix)]
    try:
        return SurveyFile(key, path, read_survey(path), None)
    except ConfigError as exc:
        return SurveyFile(key, path, None, exc)
