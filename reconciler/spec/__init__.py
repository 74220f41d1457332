"""Spec files -> the validated desired state, with every problem located in the text.

``load``/``check`` are the entry points; the models, YAML reader, diagnostics and the generated
documentation (JSON Schema, README reference) live in the modules beside them.
"""

from .load import (
    USER_ENV,
    LoadedSpec,
    RebuildPolicy,
    SourceSpec,
    check,
    check_located,
    effective_user,
    load,
)

__all__ = ["USER_ENV", "LoadedSpec", "RebuildPolicy", "SourceSpec", "check", "check_located",
           "effective_user", "load"]
