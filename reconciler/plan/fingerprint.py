"""The fingerprint of one product's desired parameters, as the lock records it.

A warm plan fingerprints every product of every source (30,000 for a large spec) to see that
nothing changed, so the text hashed is written here directly instead of through
``json.dumps``, a few times faster. It is byte for byte the JSON that scheme 1 defines:
``[scheme, product, [[[scope, name], value], ...sorted by key], [directives, sorted]]`` with
``(",", ":")`` separators and integral floats written as integers (20.0 as 20). Locks in
people's repositories hold these digests; a change to the text would make every warm plan
compare again, so it needs a new scheme number.
"""

from __future__ import annotations

import hashlib
import json
import math
from json.encoder import encode_basestring_ascii as _text
from typing import Any, Iterable, Mapping

#: Bump when what goes into a fingerprint changes: old locks then compare once more.
FINGERPRINT_SCHEME = 1

#: the encoder for what the fast path does not write itself (lists, anything unusual)
_JSON = json.JSONEncoder(separators=(",", ":"), sort_keys=True)


def norm(value: Any) -> Any:
    """A canonical value in one spelling for hashing (20 and 20.0 alike)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, tuple):
        return [norm(v) for v in value]
    return value


def _value(value: Any) -> str:
    """``value`` as JSON after :func:`norm`, written directly for the common scalars."""
    kind = type(value)
    if kind is str:
        return _text(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float and math.isfinite(value):
        return int.__repr__(int(value)) if value.is_integer() else float.__repr__(value)
    return _JSON.encode(norm(value))


#: ``[["scope","name"],``: the text before a parameter's value, by key
_OPENINGS: dict[tuple[str, str], str] = {}


def _opening(key: tuple[str, str]) -> str:
    found = _OPENINGS.get(key)
    if found is None:
        found = _OPENINGS[key] = "[" + _JSON.encode(list(key)) + ","
    return found


def text(product: str, explicit: Mapping[tuple[str, str], Any],
         directives: Iterable[str]) -> str:
    """The JSON text that is hashed (exposed for the test that pins it to ``json.dumps``)."""
    # keys are unique, so sorting the items sorts by key alone
    pairs = ",".join([_opening(key) + _value(value) + "]"
                      for key, value in sorted(explicit.items())])
    names = ",".join([_text(name) for name in sorted(directives)])
    return f"[{FINGERPRINT_SCHEME},{_text(product)},[{pairs}],[{names}]]"


def fingerprint(product: str, explicit: Mapping[tuple[str, str], Any],
                directives: Iterable[str]) -> str:
    return hashlib.sha256(text(product, explicit, directives).encode()).hexdigest()[:16]
