"""Reading an editable YAML data file, turning any read or syntax problem into a ConfigError."""

from __future__ import annotations

from pathlib import Path

import yaml

from config.errors import ConfigError


def read_yaml(path: Path) -> object:
    """The file's parsed YAML; a missing, unreadable or malformed file raises ConfigError."""
    source = str(path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(source, f"cannot read the file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(source, "the file is not plain text (UTF-8); save it as UTF-8") from None
    except yaml.YAMLError as exc:
        raise ConfigError(source, f"the file is not valid YAML: {exc}") from None
