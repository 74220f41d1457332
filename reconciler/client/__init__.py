"""The HTTP side of the UKSSDC API: one :class:`Client` with a typed call per endpoint, the
transport rules (timeouts, bounded retries, what a lost answer proves), the reply envelope and
the failure types.
"""

from .archive import ArchiveError
from .client import Client, archive_url
from .errors import (
    ClientError,
    DestinationExists,
    ProtocolError,
    ServerDeprecationWarning,
    ServerError,
    ServerVersionWarning,
    SubmitNotSent,
    SubmitOutcomeUnknown,
    TransportError,
)
from .results import (
    CancelOutcome,
    CancelResult,
    Download,
    OldJob,
    OldProduct,
    ProductStatus,
    Progress,
    ProgressStep,
    SubmitResult,
)
from .transport import RetryPolicy, Timeouts

__all__ = [
    "ArchiveError", "CancelOutcome", "CancelResult", "Client", "ClientError",
    "DestinationExists", "Download", "OldJob",
    "OldProduct", "Progress", "ProductStatus", "ProgressStep", "ProtocolError", "RetryPolicy",
    "ServerDeprecationWarning", "ServerError", "ServerVersionWarning", "SubmitNotSent",
    "SubmitOutcomeUnknown", "SubmitResult", "Timeouts", "TransportError", "archive_url",
]
