"""The learned signal's fitted numbers kept between runs, so the bot starts without training again.

Training on ten thousand examples takes several seconds of processor at every start (and in
every process test). The numbers it ends with (vocabularies, weights, intercept) are saved in
the user's cache folder (``$FORUM_BOT_CACHE``, else ``$XDG_CACHE_HOME/forum-bot`` or
``~/.cache/forum-bot``) under a name made from everything that decides them: the examples
file's contents, the families that choose its framing sentences, the code of ``learned.py``
and ``framing.py``, and the versions of scikit-learn and NumPy. Anything else (a
changed example, an upgrade) is a new name, so a stale signal is never read. The file is NumPy's
format read with ``allow_pickle=False`` (numbers and words only, never code), written
owner-only and moved into place whole. Any problem reading or writing it means training as
before; it never stops the bot.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

import numpy as np
import sklearn

from bot.crisis import framing, learned
from bot.crisis.learned import LearnedSignal, Part

logger = logging.getLogger(__name__)

_FORMAT = "1"  # bump when what is saved changes


def folder() -> Path:
    """Where fitted signals are kept."""
    chosen = os.environ.get("FORUM_BOT_CACHE")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "forum-bot"


def path_for(key: str) -> Path:
    """The file for the signal trained on the examples with this digest, by this code."""
    recipe = hashlib.sha256()
    for part in (
        _FORMAT,
        key,
        Path(learned.__file__).read_bytes().hex(),
        Path(framing.__file__).read_bytes().hex(),
        sklearn.__version__,
        np.__version__,
    ):
        recipe.update(part.encode() + b"\0")
    return folder() / f"crisis-signal-{recipe.hexdigest()[:32]}.npz"


def load(key: str) -> LearnedSignal | None:
    """The signal saved for this key, or None (none saved, or it cannot be read)."""
    try:
        path = path_for(key)
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as data:
            classes = [str(name) for name in data["classes"]]
            intercept = np.array(data["intercept"], dtype=np.float64)
            parts = []
            for index in range(len(learned.vectorizers())):
                terms = json.loads(bytes(data[f"terms_{index}"]).decode("utf-8"))
                idf = np.array(data[f"idf_{index}"], dtype=np.float64)
                weights = np.array(data[f"weights_{index}"], dtype=np.float64)
                if not len(set(terms)) == len(terms) == len(idf) == weights.shape[0]:
                    raise ValueError("the saved parts do not fit together")
                parts.append(Part({term: i for i, term in enumerate(terms)}, idf, weights))
        if intercept.shape != (len(classes),) or any(
            part.weights.shape[1] != len(classes) for part in parts
        ):
            raise ValueError("the saved weights do not fit the classes")
        return LearnedSignal.restored(classes, intercept, parts)
    except Exception as exc:  # a damaged or foreign file: train instead
        logger.warning("saved crisis signal not used: %s", type(exc).__name__)
        return None


def save(key: str, signal: LearnedSignal) -> None:
    """Keep the signal's fitted numbers for the next start (best effort)."""
    try:
        path = path_for(key)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {
            "classes": np.array(signal.classes, dtype=str),
            "intercept": signal.intercept,
        }
        for index, part in enumerate(signal.parts):
            terms = sorted(part.vocabulary, key=part.vocabulary.__getitem__)
            # As UTF-8 JSON bytes: NumPy's own text arrays drop a term's trailing NULs.
            encoded = json.dumps(terms, ensure_ascii=False).encode("utf-8")
            arrays[f"terms_{index}"] = np.frombuffer(encoded, dtype=np.uint8)
            arrays[f"idf_{index}"] = part.idf
            arrays[f"weights_{index}"] = part.weights
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:  # mkstemp makes it owner-only
                np.savez(file, **arrays)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except Exception as exc:  # no cache folder, a full disk: the next start trains again
        logger.warning("crisis signal not saved for the next start: %s", type(exc).__name__)
