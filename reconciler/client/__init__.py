"""The HTTP side of the UKSSDC API: one :class:`Client` with a typed call per endpoint, the
transport rules (timeouts, bounded retries, what a lost answer proves), the reply envelope and
the failure types.
"""

from .client import (
    CancelOutcome,
    CancelResult,
    Client,
    Download,
    OldJob,
    OldProduct,
    ProductStatus,
    Progress,
    ProgressStep,
    SubmitResult,
    archive_url,
)
from .errors import (
    ClientError,
    ProtocolError,
    ServerDeprecationWarning,
    ServerError,
    ServerVersionWarning,
    SubmitNotSent,
    SubmitOutcomeUnknown,
    TransportError,
)
from .transport import RetryPolicy, Timeouts

__all__ = [
    "CancelOutcome", "CancelResult", "Client", "ClientError", "Download", "OldJob",
    "OldProduct", "Progress", "ProductStatus", "ProgressStep", "ProtocolError", "RetryPolicy",
    "ServerDeprecationWarning", "ServerError", "ServerVersionWarning", "SubmitNotSent",
    "SubmitOutcomeUnknown", "SubmitResult", "Timeouts", "TransportError", "archive_url",
]
