"""The spec's shape as pydantic models, generated from the parameter catalogue.

Every parameter field validates through :func:`reconciler.protocol.values.from_user` (so the spec, the
payload and the comparison agree on what a value means) and carries its JSON Schema from
:mod:`reconciler.spec.paramdoc`. Errors are raised as ``value_problem`` with a ``fix`` so the loader
can print them as they are; the loader, not the models, locates them in the YAML text.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from typing import Annotated, Any, Callable, Optional

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    create_model,
)
from pydantic_core import PydanticCustomError

from ..protocol.catalogue import (
    ALL_PRODUCTS,
    DEFAULT_SERVER,
    GLOBAL_SCOPE,
    PRODUCTS,
    Param,
    python_names,
)
from ..protocol.values import ValueProblem, from_user, must_be, show
from . import durations, paramdoc

_FORBID = ConfigDict(extra="forbid")


def problem(message: str, fix: str | None = None) -> PydanticCustomError:
    """The one error shape the loader knows how to print."""
    return PydanticCustomError("value_problem", "{message}", {"message": message, "fix": fix or ""})


def _param_validator(param: Param) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value is None:
            raise problem(f"{param.name} is empty", "give it a value or remove the line")
        try:
            return from_user(param, value)
        except ValueProblem as error:
            raise problem(error.message, error.fix) from None
    return check


def _param_field(param: Param, schema: dict[str, Any]) -> Any:
    return (
        Annotated[Any, PlainValidator(_param_validator(param)), WithJsonSchema(schema)],
        Field(default=None),
    )


def _param_fields(scope: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, param in paramdoc.spec_params(scope).items():
        fields[name] = _param_field(param, paramdoc.json_schema(scope, param))
        for alias in param.aliases:
            fields[alias] = _param_field(param, paramdoc.alias_schema(param))
    return fields


def _product_model(product: str) -> type[BaseModel]:
    info = PRODUCTS[product]
    return create_model(  # type: ignore[call-overload, no-any-return]
        product,
        __config__=ConfigDict(extra="forbid", title=product),
        __doc__=f"Parameters of the {info.label} ({product}).",
        **_param_fields(product),
    )


PRODUCT_MODELS: dict[str, type[BaseModel]] = {p: _product_model(p) for p in ALL_PRODUCTS}


def _product_fields(requests: bool) -> dict[str, Any]:
    fields = {}
    for product, model in PRODUCT_MODELS.items():
        label = PRODUCTS[product].label
        if requests:
            text = (f"Request the {label}; '{product}: {{}}' asks for it with default parameters. "
                    "Values here override defaults and templates.")
        else:
            text = (f"{label.capitalize()} parameters merged into every source that requests "
                    f"{product}; this does not request it.")
        fields[product] = (Optional[model], Field(default=None, description=text))
    return fields


def _parameters_model(name: str, doc: str, requests: bool, **extra: Any) -> type[BaseModel]:
    return create_model(  # type: ignore[call-overload, no-any-return]
        name,
        __config__=ConfigDict(extra="forbid", title=name),
        __doc__=doc,
        **_param_fields(GLOBAL_SCOPE),
        **_product_fields(requests),
        **extra,
    )


# --- names -------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def name_problem(what: str, value: Any) -> tuple[str, str] | None:
    """What is wrong with a source or template name, as (message, fix); None if nothing."""
    if not isinstance(value, str):
        return f"{what} {value!r} is not text", f'quote it: "{value}"'
    if not value.strip():
        return f"a {what} cannot be empty", f"give the {what} a name"
    if value != value.strip():
        return f"{what} {value!r} starts or ends with spaces", f"write it as {value.strip()!r}"
    if _CONTROL.search(value):
        return f"{what} {value!r} contains a control character", "remove it"
    return None


def _check_name(what: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        found = name_problem(what, value)
        if found:
            raise problem(*found)
        return str(value)
    return check


SourceName = Annotated[str, PlainValidator(_check_name("source name")),
                       WithJsonSchema({"type": "string", "minLength": 1})]
TemplateName = Annotated[str, PlainValidator(_check_name("template name")),
                         WithJsonSchema({"type": "string", "minLength": 1})]


def check_use(value: Any) -> list[str]:
    if isinstance(value, str):
        raise problem("use must be a list of template names", f"write use: [{value}]")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise problem(must_be("use", "a list of template names", value),
                      "write use: [template, ...]")
    return value


UseList = Annotated[list[str], PlainValidator(check_use), WithJsonSchema({
    "type": "array", "items": {"type": "string"}, "uniqueItems": True,
})]


def _check_duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):  # a model default
        return value
    if value is None:
        raise problem("the duration is empty", f"write it as {durations.EXAMPLE}")
    if not isinstance(value, str):
        raise problem(f"a duration needs a unit, not {show(value)}",
                      f"write it as {durations.EXAMPLE}")
    try:
        duration = durations.parse(value)
    except ValueError as error:
        positive = "is negative" in str(error)
        raise problem(str(error), "use a positive duration" if positive
                      else f"write it as {durations.EXAMPLE}") from None
    if duration <= timedelta(0):
        raise problem(f"the duration {value!r} is zero", "use a positive duration")
    return duration


#: A spec field holding a duration: validated from text, dumped back as text.
Duration = Annotated[
    timedelta,
    PlainValidator(_check_duration),
    PlainSerializer(durations.spell, when_used="json"),
    WithJsonSchema({
        "type": "string",
        "pattern": durations.PATTERN,
        "description": f"A duration with one unit: s, m, h or d (e.g. {durations.EXAMPLE}; "
                       "decimals such as 0.5s are allowed).",
    }),
]


# --- the blocks of a spec ----------------------------------------------------------------------

def _check_flag(what: str) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if not isinstance(value, bool):
            raise problem(must_be(what, "true or false", value),
                          f"write {what}: true or {what}: false")
        return value
    return check


def _flag(what: str) -> Any:
    """A policy switch: true or false only (parameters also take swifttools' 0/1)."""
    return Annotated[bool, PlainValidator(_check_flag(what)), WithJsonSchema({"type": "boolean"})]


class Rebuild(BaseModel):
    """When an existing job no longer counts as current. Allowed in defaults, templates and
    sources, merged per key in the same order as parameters."""

    model_config = _FORBID
    max_age: Optional[Duration] = Field(
        default=None,
        description="Rebuild products older than this (e.g. 30d) whose whichData is all: they "
                    "grow as Swift keeps observing. null turns off an inherited max_age.",
    )
    expired: _flag("expired") = Field(  # type: ignore[valid-type]
        default=False,
        description="Rebuild products the server removed (hasProd false); otherwise they are "
                    "only shown as expired.",
    )
    failed: _flag("failed") = Field(  # type: ignore[valid-type]
        default=False,
        description="Resubmit a failed product by itself; otherwise only --retry-failed or a "
                    "change of its parameters resubmits it.",
    )


_REBUILD_FIELD = (Optional[Rebuild], Field(default=None,
                                           description=" ".join((Rebuild.__doc__ or "").split())))

Defaults = _parameters_model(
    "Defaults",
    "Parameter values deep-merged under every source (globals and product blocks). A product "
    "block here gives values only; it never requests the product.",
    requests=False,
    rebuild=_REBUILD_FIELD,
)

Template = _parameters_model(
    "Template",
    "A named bundle of globals and product blocks a source can 'use'; naming a product here "
    "requests it for every source that uses the template.",
    requests=True,
    rebuild=_REBUILD_FIELD,
)

Source = _parameters_model(
    "Source",
    "One source: the key is the job Name on the server. Globals, product blocks (naming a "
    "product requests it), 'use' and 'rebuild'.",
    requests=True,
    use=(UseList, Field(default_factory=list, description=(
        "Templates merged under this source, in order (later ones win; the source's own values "
        "win over all of them)."))),
    rebuild=_REBUILD_FIELD,
)

DEFAULT_POLL_INTERVAL = timedelta(seconds=60)


def _strict_int(what: str, minimum: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise problem(must_be(what, "a whole number", value), f"write {what}: <number>")
        if value < minimum:
            raise problem(f"{what} is {value}, must be at least {minimum}")
        return value
    return check


def _count(what: str, minimum: int) -> Any:
    """A whole-number limit of at least ``minimum``."""
    return Annotated[int, PlainValidator(_strict_int(what, minimum)),
                     WithJsonSchema({"type": "integer", "minimum": minimum})]


def _positive_number(what: str) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or (isinstance(value, float) and not math.isfinite(value)):  # YAML .nan, .inf
            raise problem(must_be(what, "a number", value), f"write {what}: <number>")
        if value <= 0:
            raise problem(f"{what} is {value}, must be more than 0")
        return value
    return check


class Limits(BaseModel):
    """How hard apply may drive the server."""

    model_config = _FORBID
    max_active_jobs: _count("max_active_jobs", 1) = Field(  # type: ignore[valid-type]
        default=5, description="Queued plus running jobs this user may have on the server.")
    submissions_per_minute: Annotated[float, PlainValidator(_positive_number(
        "submissions_per_minute")), WithJsonSchema({"type": "number", "exclusiveMinimum": 0})] = \
        Field(default=6, description="Submission rate limit.")
    poll_interval: Duration = Field(
        default=DEFAULT_POLL_INTERVAL,
        description="Wait between status polls; the UKSSDC asks for about one minute.")
    max_submissions_per_run: _count(  # type: ignore[valid-type]
        "max_submissions_per_run", 1) = Field(
        default=100,
        description="A run that would submit more stops before submitting anything unless "
                    "--allow-large.")


def _check_version(value: Any) -> int:
    if value != 1 or isinstance(value, bool) or not isinstance(value, int):
        found = "version is empty" if value is None else f"unsupported spec version {show(value)}"
        raise problem(found, "this xrt-reconcile reads version: 1")
    return 1


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SERVER = re.compile(r"^(sim|https?://[^\s/]+\S*)$")


def user_problem(subject: str, value: Any) -> str | None:
    """Why ``value`` cannot be a UserID, or None. One rule for the spec's ``user``, ``--user``
    and XRT_USER; ``subject`` says which of them the message is about."""
    if isinstance(value, str) and _EMAIL.fullmatch(value):  # '$' alone allows a '\n'
        return None
    return must_be(subject, "the e-mail address registered with the UKSSDC", value)


def server_problem(subject: str, value: Any) -> str | None:
    """Why ``value`` cannot be a server, or None: the spec's ``server`` and ``--server``."""
    if isinstance(value, str) and _SERVER.fullmatch(value):
        return None
    return must_be(subject, "an http(s) URL or the word sim", value)


def server_url(value: str) -> str:
    """A valid server as used: without a trailing '/'."""
    return value.rstrip("/")


def _check_user(value: Any) -> str:
    found = user_problem("user", value)
    if found:
        raise problem(found, "write user: you@example.org")
    return str(value)


def _check_server(value: Any) -> str:
    found = server_problem("server", value)
    if found:
        raise problem(found, f"e.g. server: {DEFAULT_SERVER}")
    return server_url(value)


class Spec(BaseModel):
    """A spec file: the products that should exist on the UKSSDC server, per source."""

    model_config = ConfigDict(extra="forbid", title="xrt-reconcile spec")
    version: Annotated[int, PlainValidator(_check_version),
                       WithJsonSchema({"const": 1})] = Field(
        description="Spec format version; always 1.")
    user: Annotated[Optional[str], PlainValidator(_check_user),
                    WithJsonSchema({"type": "string", "pattern": _EMAIL.pattern})] = Field(
        default=None,
        description="Registered UKSSDC e-mail (UserID). XRT_USER overrides it; --user overrides "
                    "both.")
    server: Annotated[Optional[str], PlainValidator(_check_server),
                      WithJsonSchema({"type": "string", "pattern": _SERVER.pattern})] = \
        Field(default=None, description="Server base URL, or sim for the embedded simulator "
                                        "(default: the UKSSDC).")
    limits: Limits = Field(default_factory=Limits, description=Limits.__doc__)
    defaults: Defaults = Field(  # type: ignore[valid-type]
        default_factory=Defaults, description=Defaults.__doc__)
    templates: dict[TemplateName, Template] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="Named bundles of parameters and products.")
    sources: dict[SourceName, Source] = Field(  # type: ignore[valid-type]
        description="The sources, keyed by job Name on the server.")


#: Keys allowed in each kind of block, for did-you-mean.
TOP_KEYS = tuple(Spec.model_fields)
LIMIT_KEYS = tuple(Limits.model_fields)
REBUILD_KEYS = tuple(Rebuild.model_fields)
SOURCE_EXTRA_KEYS = tuple(k for k in Source.model_fields if k not in Template.model_fields)
#: Per-source policies, allowed wherever parameters are (defaults, templates, sources).
POLICY_KEYS = tuple(k for k in Defaults.model_fields
                    if k not in PRODUCTS and k not in python_names(GLOBAL_SCOPE))
