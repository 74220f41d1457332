"""A parameter block (defaults, a template, a source) validated as its pydantic model would,
without the model, for the fast path.

The models validate each value through :func:`reconciler.protocol.values.from_user`; a large
spec gives the same values again and again (``binMeth: counts``, ``hasRedshift: false``), so
this calls it once per parameter and value in a spec, and builds the dictionary
``model.model_validate(raw).model_dump(exclude_unset=True)`` would give. It answers only for
blocks the model accepts: for anything the model would refuse, or that this does not know, it
returns None and the located checker reports what is wrong (a test compares both ways).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticCustomError

from ..protocol.catalogue import GLOBAL_SCOPE, PRODUCTS, lookup
from ..protocol.values import ValueProblem, from_user
from .models import PRODUCT_MODELS, Rebuild, check_use

#: what one field does with a raw value: the dumped value, or raise to refuse
_Check = Callable[[Any], Any]


class _Refused(Exception):
    pass


def _param_check(scope: str, name: str) -> _Check:
    param = lookup(scope, name)
    assert param is not None, (scope, name)  # the models' fields are catalogue names
    seen: dict[tuple[type, Any], Any] = {}

    def check(value: Any) -> Any:
        kind = type(value)
        if kind not in _KEPT:  # a float is seldom given twice (and 0.0 == -0.0); a list
            if value is None:
                raise _Refused
            return from_user(param, value)
        try:
            return seen[(kind, value)]
        except KeyError:
            result = seen[(kind, value)] = from_user(param, value)
            return result
    return check


#: the types of the values worth remembering
_KEPT = (str, int, bool)


def _product_check(product: str) -> _Check:
    fields = _field_checks(PRODUCT_MODELS[product], product)

    def check(value: Any) -> Any:
        return None if value is None else _block(fields, value)
    return check


def _rebuild(value: Any) -> Any:
    return None if value is None else Rebuild.model_validate(value).model_dump(exclude_unset=True)


def _use(value: Any) -> Any:
    return list(check_use(value))


def _field_checks(model: type[BaseModel], scope: str) -> dict[str, tuple[int, _Check]]:
    """Field name -> (its place in the model, which is the order a dump gives, its check)."""
    out: dict[str, tuple[int, _Check]] = {}
    for index, name in enumerate(model.model_fields):
        if name in PRODUCTS and scope == GLOBAL_SCOPE:
            check = _product_check(name)
        elif name == "rebuild" and scope == GLOBAL_SCOPE:
            check = _rebuild
        elif name == "use" and scope == GLOBAL_SCOPE:
            check = _use
        else:
            check = _param_check(scope, name)
        out[name] = (index, check)
    return out


def _block(fields: dict[str, tuple[int, _Check]], raw: Any) -> dict[str, Any]:
    if type(raw) is not dict:
        raise _Refused
    checked = []
    for key, value in raw.items():
        field = fields.get(key)
        if field is None:
            raise _Refused  # an unknown key
        checked.append((field[0], key, field[1](value)))
    checked.sort()
    return {key: value for _, key, value in checked}


class Blocks:
    """The block checks of one spec. Each parameter's values are remembered for this spec
    only: a long-lived process (the Python API) loads many."""

    def __init__(self) -> None:
        self._checks: dict[type[BaseModel], dict[str, tuple[int, _Check]]] = {}

    def validate(self, model: type[BaseModel], raw: Any) -> dict[str, Any] | None:
        """``model.model_validate(raw).model_dump(exclude_unset=True)`` for a block the model
        accepts; None for any other."""
        fields = self._checks.get(model)
        if fields is None:
            fields = self._checks[model] = _field_checks(model, GLOBAL_SCOPE)
        try:
            return _block(fields, raw)
        except (_Refused, ValueProblem, PydanticCustomError, ValueError, TypeError):
            return None
