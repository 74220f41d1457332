"""The envelope every UKSSDC JSON reply shares: ``OK``, ``APIVersion``, ``ERROR``/``listErr``,
``deprecationWarning`` (ukssdc-api.md §1.3-1.4).

Pure functions over the reply body, so every protocol rule is testable without a server.
Server error texts use wire names (``poserr``); users know the Python names (``posErr``), so
those are rewritten word by word, as swifttools does, using the catalogue.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections import Counter
from functools import lru_cache
from typing import Any, Mapping

from ..protocol.catalogue import API_VERSION, wire_to_python
from .errors import (
    ProtocolError,
    ServerDeprecationWarning,
    ServerError,
    ServerVersionWarning,
)


@lru_cache(maxsize=1)
def _wire_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    names = {w: p for w, p in wire_to_python().items() if w != p}
    words = sorted(names, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w@.])(" + "|".join(map(re.escape, words)) + r")(?![\w@])")
    return pattern, names


def python_names(text: str) -> str:
    """``text`` with every whole-word wire name replaced by its Python name
    (``cent`` -> ``centroid``, ``pccounts`` -> ``LightCurve: pcCounts``); words inside longer
    words or e-mail addresses are left alone."""
    pattern, names = _wire_pattern()
    return pattern.sub(lambda m: names[m.group(1)], text)


def version_tuple(version: Any) -> tuple[int, ...] | None:
    """``"1.12"`` -> (1, 12); ``0.1`` -> (0, 1); None if it is not a dotted number."""
    text = str(version).strip()
    if not re.fullmatch(r"\d+(\.\d+)*", text):
        return None
    return tuple(int(part) for part in text.split("."))


class WarningGate:
    """Issues each server warning once per client (per deprecation ``type``), not once per
    reply: a poll loop must not repeat the same notice hundreds of times."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def _once(self, key: str, message: str, category: type[Warning]) -> None:
        if key not in self._seen:
            self._seen.add(key)
            warnings.warn(message, category, stacklevel=4)

    def check(self, endpoint: str, reply: Mapping[str, Any]) -> None:
        ours = version_tuple(API_VERSION)
        theirs = version_tuple(reply["APIVersion"])
        if theirs is None:
            raise ProtocolError(
                endpoint, f"APIVersion {reply['APIVersion']!r} is not a version number"
            )
        if ours is not None and theirs > ours:
            self._once(
                "version",
                f"the UKSSDC server speaks API version {reply['APIVersion']}, newer than this "
                f"tool's {API_VERSION}; if anything misbehaves, update xrt-reconcile",
                ServerVersionWarning,
            )
        notice = reply.get("deprecationWarning")
        if notice is None:
            return
        if isinstance(notice, Mapping):
            kind = str(notice.get("type", ""))
            text = str(notice.get("message", notice))
        else:
            kind, text = str(notice), str(notice)
        self._once(f"deprecation:{kind}", f"the UKSSDC server warns: {text}",
                   ServerDeprecationWarning)


def _problems(endpoint: str, list_err: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if list_err is None:
        return ()
    if not isinstance(list_err, list):
        raise ProtocolError(endpoint, f"listErr is {type(list_err).__name__}, not a list")
    groups = []
    for group in list_err:
        if not isinstance(group, Mapping):
            raise ProtocolError(endpoint, f"a listErr entry is {group!r}, not an object")
        items = group.get("list") or []
        if isinstance(items, str):
            items = [items]
        groups.append((python_names(str(group.get("label", ""))),
                       tuple(python_names(str(item)) for item in items)))
    return tuple(groups)


def ok_code(endpoint: str, reply: Mapping[str, Any]) -> int:
    value = reply["OK"]
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ProtocolError(endpoint, f"OK is {value!r}, not 0, 1 or 2")
    try:
        code = int(value)
    except ValueError:
        raise ProtocolError(endpoint, f"OK is {value!r}, not 0, 1 or 2") from None
    if code not in (0, 1, 2):
        raise ProtocolError(endpoint, f"OK is {value!r}, not 0, 1 or 2")
    return code


class _Unreadable(ValueError):
    """Raised by the JSON hooks below with the reason a reply is refused."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        twice = next(k for k, n in Counter(k for k, _ in pairs).items() if n > 1)
        raise _Unreadable(f"the key {twice!r:.60} appears twice in one object, so its value "
                          "is ambiguous")
    return obj


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Unreadable(f"the number {text:.40} is out of range")
    return value


def _constant(name: str) -> float:
    raise _Unreadable(f"{name} is not a JSON number")


def parse_json(endpoint: str, body: bytes | str) -> Any:
    """Strict JSON: refuses what Python's parser would let through but no server means
    (NaN and Infinity, numbers beyond a float, duplicate keys) and nesting too deep to read,
    as :class:`ProtocolError`. (Python itself refuses integers of over 4,300 digits.)"""
    try:
        return json.loads(body, object_pairs_hook=_pairs, parse_float=_number,
                          parse_constant=_constant)
    except _Unreadable as problem:
        raise ProtocolError(endpoint, str(problem)) from None
    except RecursionError:
        raise ProtocolError(endpoint, "the answer is nested too deeply to read") from None
    except (ValueError, UnicodeDecodeError):
        start = body[:80] if isinstance(body, str) else body[:80].decode("utf-8", "replace")
        raise ProtocolError(endpoint, f"the answer is not JSON (it starts {start!r})") from None


def read_reply(
    endpoint: str,
    body: bytes | str,
    gate: WarningGate,
    required: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The reply's own fields (with ``OK`` kept), after the envelope checks.

    Raises :class:`ServerError` for ``OK: 0`` and :class:`ProtocolError` for anything that is
    not a well-formed reply carrying ``required``.
    """
    reply = parse_json(endpoint, body)
    if not isinstance(reply, dict):
        raise ProtocolError(endpoint, f"the answer is a JSON {type(reply).__name__}, not an object")
    missing = [key for key in ("OK", "APIVersion") if key not in reply]
    if missing:
        raise ProtocolError(endpoint, f"the answer has no {' and no '.join(missing)}")
    code = ok_code(endpoint, reply)
    gate.check(endpoint, reply)
    if code == 0:
        error = reply.get("ERROR")
        if not isinstance(error, str) or not error.strip():
            raise ProtocolError(endpoint, "the server reported a failure (OK: 0) without an ERROR")
        raise ServerError(endpoint, python_names(error), _problems(endpoint, reply.get("listErr")))
    absent = [key for key in required if key not in reply]
    if absent:
        raise ProtocolError(endpoint, f"the answer lacks {', '.join(absent)}")
    return reply
