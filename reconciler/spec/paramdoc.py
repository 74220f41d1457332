"""What the catalogue says about one parameter, in the words and shapes of documentation.

Both the JSON Schema (editor completion and hover text) and the README's spec reference are
derived from here, so neither can drift from ``catalogue.py``.
"""

from __future__ import annotations

from typing import Any

from ..protocol.catalogue import (
    ANY,
    GLOBAL_SCOPE,
    NOT_NEEDED_FOR_SOURCEDET_ONLY,
    POSITION_PRODUCTS,
    PRODUCTS,
    REQUIRED_GLOBALS,
    SOURCEDET,
    Kind,
    Param,
    params_of,
)
from ..protocol.values import range_text


def spec_params(scope: str) -> dict[str, Param]:
    """The parameters a spec block of ``scope`` may set (the job name is the source key)."""
    return {n: p for n, p in params_of(scope).items() if not (scope == GLOBAL_SCOPE and n == "name")}


def json_value(value: Any) -> Any:
    """A canonical value as JSON (the models tuple becomes a list)."""
    return list(value) if isinstance(value, tuple) else value


def _yaml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, float) and value >= 1e6:
        return f"{value:g}"
    return str(value)


def type_name(param: Param) -> str:
    return {
        Kind.STR: "text", Kind.INT: "integer", Kind.FLOAT: "number", Kind.NUMBER: "number",
        Kind.BOOL: "boolean", Kind.LIST: "list of names",
    }[param.kind]


def allowed(param: Param) -> str:
    """Allowed values or range, as a reader wants to see them; '' when anything of the type."""
    return ", ".join(param.choices) if param.choices else range_text(param)


def default_text(param: Param) -> str:
    return _yaml(param.default) if param.has_default else ""


def _values(values: tuple[Any, ...]) -> str:
    return " or ".join(_yaml(v) for v in values)


def _condition(name: str, key: Any) -> str:
    return f"{name} is set" if key == ANY else f"{name} is {_yaml(key)}"


def notes(scope: str, param: Param) -> list[str]:
    """Rules that involve ``param``: when it is required, when it matters, what it implies."""
    params = params_of(scope)
    out: list[str] = []
    if param.mandatory and param.name != "name":
        out.append("Required whenever the product is requested.")
    if scope == GLOBAL_SCOPE and param.name in REQUIRED_GLOBALS and param.name != "name":
        directive = REQUIRED_GLOBALS[param.name]
        text = "Required"
        if directive:
            text += f" unless {directive} is true"
        if param.name in NOT_NEEDED_FOR_SOURCEDET_ONLY:
            text += f"; not needed when {SOURCEDET} is the only product"
        out.append(text + ".")
    for other in params.values():
        for key, needed in other.needs.items():
            if param.name in needed:
                out.append(f"Required when {_condition(other.name, key)}.")
    for key, needed in param.needs.items():
        out.append(f"When {_condition(param.name, key)}, {', '.join(needed)} must be given too.")
    for condition, values in param.only_when.items():
        out.append(f"Only used when {condition} is {_values(values)}.")
    for key, implied in param.sets.items():
        for target, value in implied.items():
            effect = f"removes {target}" if value is None else f"sets {target} to {_yaml(value)}"
            setting = "Setting it" if key == ANY else f"Setting it to {_yaml(key)}"
            out.append(f"{setting} {effect}.")
    for key, implied in param.suggests.items():
        for target, value in implied.items():
            setting = "Setting it" if key == ANY else f"Setting it to {_yaml(key)}"
            out.append(f"{setting} also sets {target} to {_yaml(value)} unless {target} is given.")
    for order in () if scope == GLOBAL_SCOPE else PRODUCTS[scope].ordered:
        if param.name == order.low:
            out.append(f"Must be {'below' if order.strict else 'at most'} {order.high} when "
                       "both are given.")
        elif param.name == order.high:
            out.append(f"Must be {'above' if order.strict else 'at least'} {order.low} when "
                       "both are given.")
    if param.fills:
        out.append(f"The server fills in {' and '.join(param.fills)}.")
    if param.shared:
        out.append(f"Shared by {', '.join(POSITION_PRODUCTS)}: one value for all of them.")
    if param.aliases:
        out.append(f"Deprecated alias: {', '.join(param.aliases)}.")
    if scope == GLOBAL_SCOPE and param.affects:
        out.append(f"Affects {', '.join(param.affects)}.")
    return out


def description(scope: str, param: Param) -> str:
    return " ".join([param.doc, *notes(scope, param)])


def _value_schema(param: Param) -> dict[str, Any]:
    if param.kind is Kind.BOOL:
        return {"anyOf": [{"type": "boolean"}, {"enum": [0, 1]}]}
    if param.kind is Kind.LIST:
        names = list(param.choices)
        return {"anyOf": [
            {"type": "array", "items": {"enum": names}, "minItems": 1},
            {"enum": names},
        ]}
    if param.choices:
        # grades: 0 is accepted as well as grades: '0'
        numbers = [int(c) for c in param.choices if c.isdigit()]
        return {"enum": [*param.choices, *numbers]}
    by_kind: dict[Kind, dict[str, Any]] = {
        Kind.STR: {"type": "string", "minLength": 1},
        Kind.INT: {"type": "integer"},
        Kind.FLOAT: {"type": "number"},
        Kind.NUMBER: {"type": "number"},
    }
    schema = by_kind[param.kind]
    lo, hi = param.bounds
    if lo is not None:
        schema["minimum"] = lo
    if hi is not None:
        schema["maximum"] = hi
    return dict(schema)


def json_schema(scope: str, param: Param) -> dict[str, Any]:
    """The JSON Schema of one parameter: type, allowed values, description, default."""
    schema = _value_schema(param)
    schema["description"] = description(scope, param)
    if param.has_default:
        schema["default"] = json_value(param.default)
    return schema


def alias_schema(param: Param) -> dict[str, Any]:
    schema = _value_schema(param)
    schema["description"] = f"Deprecated alias of {param.name}: write {param.name} instead."
    schema["deprecated"] = True
    return schema
