"""Parameter values in their three forms: as users write them, canonical, and on the wire.

The canonical form is what the tool compares and stores: Python-typed values (``bool``, ``int``,
``float``, ``str``, a ``tuple`` of model names) so that ``'20'``, ``20`` and ``20.0`` from the
server compare equal to a spec's ``20``. User input is checked strictly (a clear error beats a
silent guess); server values are read leniently (the real server mixes strings and numbers).
"""

from __future__ import annotations

import difflib
import math
import re
from datetime import date, time
from typing import Any, Iterable

from .catalogue import Kind, Param


class ValueProblem(ValueError):
    """A user value that does not fit its parameter; ``fix`` says what would."""

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate a typo most likely meant, or None when nothing is close."""
    candidates = list(candidates)
    lowered = {c.lower(): c for c in candidates}
    if word.lower() in lowered:
        return lowered[word.lower()]
    match = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return match[0] if match else None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _finite(number: int | float) -> bool:
    """Not NaN or infinite, and (for an int) within float range, so that comparing it as a
    float can neither fail nor never succeed."""
    try:
        return math.isfinite(number)
    except OverflowError:
        return False


def show(value: Any) -> str:
    """A value as YAML spells it, for messages: ``true``, ``['a', 1]``, ``2024-01-31``, ``.nan``.
    Python's own spellings (``True``, ``None``, ``('a',)``) mean nothing to a spec's author."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{show(k)}: {show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def must_be(subject: str, wanted: str, value: Any) -> str:
    """``RA must be a number, not 'north'``; ``RA is empty`` where YAML read no value at all."""
    if value is None:
        return f"{subject} is empty"
    return f"{subject} must be {wanted}, not {show(value)}"


def _choices_text(param: Param) -> str:
    return ", ".join(repr(c) for c in param.choices)


def _check_choice(param: Param, value: str) -> str:
    if value in param.choices:
        return value
    guess = closest(value, param.choices)
    hint = f"did you mean {guess!r}? " if guess else ""
    raise ValueProblem(
        f"{value!r} is not a valid value for {param.name}",
        f"{hint}allowed values: {_choices_text(param)}",
    )


def number_text(number: float | int) -> str:
    """A number as a person writes it: ``10``, not ``10.0``."""
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return repr(number)


def range_text(param: Param) -> str:
    """The catalogue's bounds of ``param`` in words (``1 to 30``, ``0 or more``); '' if none."""
    lo, hi = param.bounds
    if lo is not None and hi is not None:
        return f"{number_text(lo)} to {number_text(hi)}"
    if lo is not None:
        return f"{number_text(lo)} or more"
    if hi is not None:
        return f"{number_text(hi)} or less"
    return ""


def _check_bounds(param: Param, value: float) -> None:
    lo, hi = param.bounds
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueProblem(f"{param.name} is {number_text(value)}, outside the allowed range",
                           f"allowed: {range_text(param)}")


def _too_large(param: Param) -> ValueProblem:
    return ValueProblem(f"{param.name} is too large to be a number the server can read",
                        "use a smaller number")


def from_user(param: Param, value: Any) -> Any:
    """A value written in a spec -> canonical form, or ValueProblem saying why not."""
    kind = param.kind
    name = param.name
    if kind is Kind.BOOL:
        if isinstance(value, bool):
            return value
        if _is_number(value) and value in (0, 1):
            return bool(value)
        raise ValueProblem(must_be(name, "true or false", value),
                           f"write {name}: true or {name}: false")
    if kind is Kind.INT:
        if isinstance(value, int) and not isinstance(value, bool):
            result: Any = value
        elif isinstance(value, float) and value.is_integer():
            result = int(value)
        else:
            raise ValueProblem(must_be(name, "a whole number", value), f"write {name}: <number>")
        if not _finite(result):
            raise _too_large(param)
        _check_bounds(param, result)
        return result
    if kind in (Kind.FLOAT, Kind.NUMBER):
        if isinstance(value, int) and _is_number(value) and not _finite(value):
            raise _too_large(param)
        if not _is_number(value) or not _finite(value):
            raise ValueProblem(must_be(name, "a number", value), "write a number without quotes")
        _check_bounds(param, value)
        return float(value) if kind is Kind.FLOAT else value
    if kind is Kind.LIST:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not items or not all(
            isinstance(v, str) for v in items
        ):
            raise ValueProblem(must_be(name, "a list of names", value),
                               f"for example {name}: [{param.choices[0]}]")
        return tuple(_check_choice(param, v.lower()) for v in items)
    # Kind.STR
    if param.choices:
        if _is_number(value) and str(value) in param.choices:  # grades: 0
            return str(value)
        if not isinstance(value, str):
            raise ValueProblem(must_be(name, f"one of {_choices_text(param)}", value))
        return _check_choice(param, value)
    if not isinstance(value, str):
        raise ValueProblem(must_be(name, "text", value),
                           f"quote the value: {name}: \"{show(value)}\"")
    if not value.strip():
        raise ValueProblem(f"{name} is empty", f"give {name} a value or remove the line")
    return value


def server_bool(value: Any) -> bool:
    """A yes/no value in any of the server's spellings (1, "1", "yes", true); anything else,
    such as ``"2SXPS"``, is no."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("1", "yes", "true")
    return value == 1


#: a decimal number as the server writes one: no NaN, inf, hex or Python's 1_000
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_WHOLE = re.compile(r"[+-]?\d+", re.ASCII)


def _server_number(value: Any) -> int | float:
    """A finite number from a JSON number or decimal text; text reads as a float, as
    swifttools casts it. TypeError/ValueError otherwise (NaN, inf, beyond float range)."""
    if isinstance(value, str):
        text = value.strip()
        if not _DECIMAL.fullmatch(text):
            raise ValueError(f"{value!r} is not a number")
        number: int | float = float(text)
    elif isinstance(value, bool):
        number = float(value)  # swifttools casts true to 1.0 too
    elif isinstance(value, (int, float)):
        number = value
    else:
        raise TypeError(f"{value!r} is not a number")
    if not _finite(number):
        raise ValueError(f"{value!r} is not a finite number")
    return number


def server_int(value: Any) -> int:
    """A whole number from the server (``"20"``, ``20``, ``20.0``); whole-number text is read
    exactly, not through a float. TypeError/ValueError if it is not one."""
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        whole = int(value.strip())
        if not _finite(whole):
            raise ValueError(f"{value!r} is out of range")
        return whole
    number = _server_number(value)
    if isinstance(number, float) and not number.is_integer():
        raise ValueError(f"{value!r} is not a whole number")
    return int(number)


def from_server(param: Param, value: Any) -> Any:
    """A value from server ``jobPars`` -> canonical form; ValueError (or TypeError) if it
    cannot be read, never a value that could not equal itself (NaN)."""
    kind = param.kind
    if kind is Kind.BOOL:
        return server_bool(value)
    if kind is Kind.INT:
        return server_int(value)
    if kind is Kind.FLOAT:
        return float(_server_number(value))
    if kind is Kind.NUMBER:
        return _server_number(value)
    if kind is Kind.LIST:
        items = value.split(",") if isinstance(value, str) else list(value)
        return tuple(str(v).strip().lower() for v in items)
    text = str(value)
    if param.name == "targ" and text.startswith("{") and text.endswith("}"):
        # D28: the server may wrap the list in braces. Only those go: the rest is the value
        # as sent, so that it still equals the spec's (a stripped ' 0001' would never match).
        text = text[1:-1]
    return text


def to_wire(param: Param, value: Any) -> Any:
    """Canonical -> the JSON value a request carries (0/1 booleans, lists)."""
    if param.kind is Kind.BOOL:
        return 1 if value else 0
    if param.kind is Kind.LIST:
        return list(value)
    return value


def server_echo(param: Param, value: Any) -> Any:
    """Canonical -> the form the real server echoes in ``jobPars`` (strings for some numbers)."""
    wire = to_wire(param, value)
    if not param.server_string or isinstance(wire, str):
        return wire
    if param.decimals is not None:
        return f"{float(wire):.{param.decimals}f}"
    return number_text(wire)


def canonical_equal(param: Param, a: Any, b: Any) -> bool:
    """Whether two canonical values mean the same thing to the server."""
    if a is None or b is None:
        return a is b
    if param.kind is Kind.INT:
        return bool(a == b)
    if param.kind in (Kind.FLOAT, Kind.NUMBER):
        if param.decimals is not None:
            return round(float(a), param.decimals) == round(float(b), param.decimals)
        # Only float noise is forgiven: at 1e-9 a MET T0 (~6e8 s) could move by half a
        # second, or a count by one, and still compare equal - a missed change.
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)
    if param.kind is Kind.LIST:
        return tuple(a) == tuple(b)
    return a == b
