"""The UKSSDC XRT product parameter catalogue: the one place that knows every parameter.

Everything else (spec validation, the wire payload, reading server ``jobPars``, the simulator's
defaults and validation, the plan's comparison) derives from the tables below, so a parameter's
wire name, type or default is spelled exactly once. Sources and the discrepancies between them
are in ``ukssdc-api.md``; where sources disagree the choice is noted beside the entry (``D<n>``).

Names are the ``swifttools`` Python names, so that users' existing knowledge carries over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, IntEnum, StrEnum
from types import MappingProxyType
from typing import Any, Mapping

#: The protocol version this tool speaks (the swifttools 4.0.5 ``_apiVersion``).
API_VERSION = "1.12"
API_NAME = "xrt_prods"
DEFAULT_SERVER = "https://www.swift.ac.uk/user_objects"

#: Key used in ``needs``/``sets`` for "whatever the value is".
ANY = "ANY"


class Kind(str, Enum):
    """Canonical value types. ``NUMBER`` is swifttools' ``float/int``."""

    STR = "str"
    INT = "int"
    FLOAT = "float"
    NUMBER = "number"
    BOOL = "bool"
    LIST = "list"


def _frozen(mapping: Mapping[Any, Any] | None) -> Mapping[Any, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Param:
    """One parameter, global or of a product.

    ``needs``: value (or ``ANY``) -> parameters that must then be set too (mandatory rules).
    ``sets``: value (or ``ANY``) -> {parameter: value}, what swifttools sets as a side effect
    (``None`` removes). These are implications: an explicit contrary value is an error.
    ``suggests``: the same, but only a default; an explicit user value wins.
    ``only_when``: the parameter only affects the product while another parameter of the same
    scope has one of the listed values (e.g. ``pcCounts`` only for ``binMeth: counts``).
    ``affects``: for globals, the products whose output depends on the value.
    """

    name: str
    wire: str
    kind: Kind
    doc: str
    choices: tuple[str, ...] = ()
    default: Any = None
    mandatory: bool = False
    needs: Mapping[Any, tuple[str, ...]] = field(default_factory=dict)
    sets: Mapping[Any, Mapping[str, Any]] = field(default_factory=dict)
    suggests: Mapping[Any, Mapping[str, Any]] = field(default_factory=dict)
    only_when: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    #: lowest and highest allowed value, both allowed themselves; None: no limit that side
    bounds: tuple[float | None, float | None] = (None, None)
    #: the server keeps this many decimals (RA/Dec are echoed as "335.6985")
    decimals: int | None = None
    affects: tuple[str, ...] = ()
    #: the client always sends the default when unset (swifttools pre-sets ``deltaFitStat``)
    send_default: bool = False
    #: directives (getCoords/getTargs/getT0): name of the global the server fills in
    fills: tuple[str, ...] = ()
    #: deprecated Python names accepted on input
    aliases: tuple[str, ...] = ()
    #: other spellings of the wire key seen in server ``jobPars``
    wire_aliases: tuple[str, ...] = ()
    #: the real server echoes this value as a string in ``jobPars`` (ukssdc-api.md §4.1)
    server_string: bool = False
    #: shared by the three position products (one wire key for all of them)
    shared: bool = False
    #: swifttools cannot express this parameter (D3); excluded from conformance corpora
    swifttools_gap: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs", _frozen(self.needs))
        object.__setattr__(self, "sets", _frozen({k: _frozen(v) for k, v in self.sets.items()}))
        object.__setattr__(
            self, "suggests", _frozen({k: _frozen(v) for k, v in self.suggests.items()})
        )
        object.__setattr__(self, "only_when", _frozen(self.only_when))

    @property
    def has_default(self) -> bool:
        return self.default is not None

    @property
    def wire_keys(self) -> tuple[str, ...]:
        """Every key this parameter may arrive under in ``jobPars``, the wire name first."""
        return (self.wire, *self.wire_aliases)


@dataclass(frozen=True)
class Order:
    """``low`` must be below ``high`` (``strict``), or at most ``high``: a value the server would
    take but that cannot be right, such as an energy band whose ends are swapped."""

    low: str
    high: str
    strict: bool = True


@dataclass(frozen=True)
class Product:
    """A product the server can build.

    ``name`` is the swifttools long name (``LightCurve``); ``key`` the short key used by the
    status, cancel and download endpoints (``lc``); ``flag`` the 0/1 wire key that requests it.
    """

    name: str
    key: str
    flag: str
    label: str
    params: Mapping[str, Param]
    #: global parameters this product cannot do without (swifttools ``prodNeedGlobals``)
    needs_globals: tuple[str, ...] = ()
    #: pairs of its parameters whose values must be in order
    ordered: tuple[Order, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _frozen(self.params))


def _table(*params: Param) -> dict[str, Param]:
    return {p.name: p for p in params}


LC, SPEC, PSF, ENH, XASTROM, IMAGE, SOURCEDET = (
    "LightCurve",
    "Spectrum",
    "StandardPos",
    "EnhancedPos",
    "AstromPos",
    "Image",
    "SourceDet",
)
POSITION_PRODUCTS = (PSF, ENH, XASTROM)
ALL_PRODUCTS = (LC, SPEC, PSF, ENH, XASTROM, IMAGE, SOURCEDET)
_TIMED = (LC, SPEC)

S, I, F, N, B, L = Kind.STR, Kind.INT, Kind.FLOAT, Kind.NUMBER, Kind.BOOL, Kind.LIST

# Bounds where the documentation gives no range but a value outside cannot be right: counts,
# times, radii, rates and thresholds are never negative, and a count or a try is at least 1.
# (Zero is let through: the bounds are inclusive, and the documentation rules out no zero.)
_NOT_NEGATIVE: tuple[float | None, float | None] = (0, None)
_AT_LEAST_1: tuple[float | None, float | None] = (1, None)

# --- globals (ukssdc-api.md §3.2) -------------------------------------------------------------

GLOBALS: Mapping[str, Param] = _frozen(
    _table(
        Param("name", "name", S, "Object name; the job Name on the server (the source key).",
              mandatory=True),
        Param("targ", "targ", S, "Comma-separated Swift target IDs, e.g. '00945521,00013267'.",
              affects=ALL_PRODUCTS, sets={ANY: {"getTargs": False}}),
        Param("T0", "Tstart", N, "Reference time (MET), e.g. the light-curve zero point.",
              affects=ALL_PRODUCTS, sets={ANY: {"getT0": False}}),
        # D5: swifttools sends SinceT0, server jobPars carry sinceT0.
        Param("SinceT0", "SinceT0", B, "Whether all other times are relative to T0.",
              default=False, affects=ALL_PRODUCTS, wire_aliases=("sinceT0",)),
        Param("RA", "RA", F, "Right ascension, decimal degrees J2000.", bounds=(0.0, 360.0),
              decimals=4, affects=ALL_PRODUCTS, server_string=True),
        Param("Dec", "Dec", F, "Declination, decimal degrees J2000.", bounds=(-90.0, 90.0),
              decimals=4, affects=ALL_PRODUCTS, server_string=True),
        Param("centroid", "cent", B, "Centroid the position in the XRT frame (light curve, spectrum).",
              needs={True: ("posErr",)}, affects=_TIMED),
        Param("centMeth", "centMeth", S, "Centroid method.", choices=("simple", "iterative"),
              default="simple", only_when={"centroid": (True,)}, affects=_TIMED),
        Param("maxCentTries", "maxCentTries", I, "ObsIDs to try centroiding on before giving up.",
              default=10, bounds=_AT_LEAST_1, only_when={"centroid": (True,)}, affects=_TIMED,
              server_string=True),
        # D6: RAW table spells the wire name posErr; examples, code and jobPars use poserr.
        Param("posErr", "poserr", N, "How far (arcmin) the centroid may be from the input position.",
              bounds=(1, 6), only_when={"centroid": (True,)}, affects=_TIMED),
        Param("sss", "sss", B, "Super-soft source: grade-0 events only, lower pile-up thresholds.",
              default=False, affects=_TIMED, server_string=True),
        # D7: swifttools requires useSXPS unless the job is source-detection only.
        Param("useSXPS", "useSXPS", B, "Use SXPS source lists where possible.", default=False,
              affects=(LC, SPEC, PSF, ENH, XASTROM)),
        Param("wtPupRate", "wtpuprate", N, "WT count rate (ct/s) above which pile-up is tested.",
              default=150, bounds=_NOT_NEGATIVE, affects=_TIMED),
        Param("pcPupRate", "pcpuprate", N, "PC count rate (ct/s) above which pile-up is tested.",
              default=0.6, bounds=_NOT_NEGATIVE, affects=_TIMED),
        Param("notify", "notify", B, "E-mail the user when the job completes or fails.",
              default=False),
        Param("getCoords", "getCoords", B, "Ask the server to resolve RA/Dec from the name.",
              default=False, fills=("RA", "Dec")),
        Param("getTargs", "getTargs", B, "Ask the server to find the target IDs.",
              default=False, fills=("targ",)),
        Param("getT0", "getT0", B, "Ask the server for T0 (GRB trigger or first observation).",
              default=False, fills=("T0",)),
    )
)

#: Global parameters that are server directives rather than values.
DIRECTIVES: tuple[str, ...] = tuple(p.name for p in GLOBALS.values() if p.fills)

# --- shared position parameters (§3.6) ----------------------------------------------------------

_POSITION_SHARED = _table(
    Param("posRadius", "posRadius", N, "How far (arcsec) the source may be from the input position.",
          default=20, bounds=_NOT_NEGATIVE, shared=True, server_string=True),
    Param("whichData", "posobs", S, "Which data to use for the position.",
          choices=("all", "user", "hours"), default="hours", shared=True,
          needs={"user": ("useObs",), "hours": ("incHours",)}, sets={"all": {"useObs": None}}),
    Param("useObs", "useposobs", S, "ObsIDs or time ranges to use.", shared=True,
          only_when={"whichData": ("user",)}, sets={ANY: {"whichData": "user"}}),
    # D30: RAW says specobs, evidently posobs.
    Param("incHours", "posobstime", N, "Use observations within this many hours of the first.",
          default=12, bounds=_NOT_NEGATIVE, shared=True, only_when={"whichData": ("hours",)}),
    Param("detOrCent", "detornot", S, "Detect the source, or centroid near the input position.",
          choices=("detect", "centroid"), default="detect", shared=True),
    # The position centMeth is wire detMeth; not the global centMeth (quirk Q3).
    Param("centMeth", "detMeth", S, "Position method.", choices=("simple", "iterative"),
          default="simple", shared=True, only_when={"detOrCent": ("detect",)}),
)

# --- products (§3.3-3.8) -------------------------------------------------------------------------

_COUNTS = {"binMeth": ("counts",)}
_COUNTS_OR_TIME = {"binMeth": ("counts", "time")}
_TIME = {"binMeth": ("time",)}
_FITTED = {"doNotFit": (False,)}

_LC = _table(
    Param("binMeth", "binMeth", S, "Binning method.", choices=("counts", "time", "snapshot", "obsid"),
          mandatory=True, needs={"counts": ("pcCounts", "wtCounts", "dynamic")}),
    Param("minEnergy", "minen", N, "Minimum energy (keV).", default=0.3, bounds=(0.3, 10),
          server_string=True),
    Param("maxEnergy", "maxen", N, "Maximum energy (keV).", default=10, bounds=(0.3, 10),
          server_string=True),
    Param("softLo", "soft1", N, "Soft band lower energy (keV).", default=0.3, bounds=(0.3, 10),
          server_string=True),
    Param("softHi", "soft2", N, "Soft band upper energy (keV).", default=1.5, bounds=(0.3, 10),
          server_string=True),
    Param("hardLo", "hard1", N, "Hard band lower energy (keV).", default=1.5, bounds=(0.3, 10),
          server_string=True),
    Param("hardHi", "hard2", N, "Hard band upper energy (keV).", default=10, bounds=(0.3, 10),
          server_string=True),
    Param("minSig", "sigmin", N, "Detection threshold per bin (sigma).", default=3,
          bounds=_NOT_NEGATIVE, server_string=True),
    Param("grades", "grades", S, "Event grades.", choices=("all", "0", "4"), default="all"),  # D19
    Param("allowUL", "allowUL", S, "Allow upper limits.", choices=("no", "pc", "wt", "both"),
          default="both"),
    # D4: RAW says allowBayes; code and jobPars use allowB.
    Param("allowBayes", "allowB", S, "Allow Bayesian bins.", choices=("no", "pc", "wt", "both"),
          default="both"),
    Param("bayesCounts", "bayesCounts", N, "Counts threshold for Bayesian statistics.", default=15,
          bounds=_NOT_NEGATIVE),
    Param("bayesSNR", "bayesSNR", N, "S/N threshold for Bayesian statistics.", default=2.4,
          bounds=_NOT_NEGATIVE),
    Param("timeFormat", "lctimetype", S, "Time axis units: s (seconds) or m (MJD).",
          choices=("s", "m", "mjd", "sec"), default="s", aliases=("timeType",)),
    Param("whichData", "lcobs", S, "Which observations to use.", choices=("all", "user"),
          default="all", needs={"user": ("useObs",)}, sets={"all": {"useObs": None}}),
    Param("useObs", "uselcobs", S, "ObsIDs or time ranges to use.",
          only_when={"whichData": ("user",)}, sets={ANY: {"whichData": "user"}}),
    # One wire key for the light curve and the spectrum (§3.9).
    Param("srcrad", "srcrad", I, "Maximum source extraction radius (pixels).", bounds=(1, 30)),
    Param("pcCounts", "pccounts", I, "Minimum counts per full PC bin.", bounds=_AT_LEAST_1,
          only_when=_COUNTS, server_string=True),
    Param("wtCounts", "wtcounts", I, "Minimum counts per full WT bin.", bounds=_AT_LEAST_1,
          only_when=_COUNTS, server_string=True),
    Param("dynamic", "dynamic", B, "Dynamic binning.", only_when=_COUNTS),  # D12: no default
    Param("rateFact", "ratefact", N, "Rate factor for dynamic binning.", default=10,
          bounds=_NOT_NEGATIVE, only_when=_COUNTS, server_string=True),
    Param("binFact", "binfact", N, "Binning factor for dynamic binning.", default=1.5,
          bounds=_NOT_NEGATIVE, only_when=_COUNTS, server_string=True),
    # D11: optional with defaults (the swifttools rule for time binning is dead).
    Param("pcBinTime", "pcbin", N, "PC bin length, or minimum bin length for counts (s).",
          default=2.51, bounds=_NOT_NEGATIVE, only_when=_COUNTS_OR_TIME, server_string=True),
    Param("wtBinTime", "wtbin", N, "WT bin length, or minimum bin length for counts (s).",
          default=0.5, bounds=_NOT_NEGATIVE, only_when=_COUNTS_OR_TIME, server_string=True),
    Param("minCounts", "mincmin", I, "Absolute minimum counts per bin.", default=15,
          bounds=_NOT_NEGATIVE, only_when=_COUNTS, server_string=True),
    Param("minSNR", "minsnr", N, "Minimum S/N for a full bin.", default=2.4,  # D10
          bounds=_NOT_NEGATIVE, only_when=_COUNTS),
    # D3: documented as pcMaxGap/wtMaxGap, wire pcmaxgap/wtmaxgap; swifttools cannot send them.
    Param("pcMaxGap", "pcmaxgap", N, "Longest gap a PC bin may straddle (s).", default=1e8,
          bounds=_NOT_NEGATIVE, only_when=_COUNTS, swifttools_gap=True),
    Param("wtMaxGap", "wtmaxgap", N, "Longest gap a WT bin may straddle (s).", default=1e8,
          bounds=_NOT_NEGATIVE, only_when=_COUNTS, swifttools_gap=True),
    # D18: docs say bool True; code types it as a number. Only meaningful for time binning.
    Param("matchHR", "hrbin", B, "Hardness ratio uses the main light-curve bins.", default=True,
          only_when=_TIME),
    Param("pcHRBinTime", "pchrbin", N, "PC hardness-ratio bin length (s).", default=2.51,
          bounds=_NOT_NEGATIVE, only_when=_TIME),
    Param("wtHRBinTime", "wthrbin", N, "WT hardness-ratio bin length (s).", default=0.5,
          bounds=_NOT_NEGATIVE, only_when=_TIME),
    # a fraction of the bin's length
    Param("minFracExp", "femin", N, "Minimum fractional exposure of a bin.", default=0,
          bounds=(0, 1), only_when=_TIME, server_string=True),
)

# The energy bands (§3.4): each band is a range, and the "Allowed" column puts the soft and
# hard bands inside minEnergy..maxEnergy (softLo, hardLo >= minen; softHi, hardHi <= maxen).
# Nothing orders the soft band before the hard one (the defaults share 1.5 keV), so no rule.
# Judged where a spec gives both ends (request.build).
_LC_ORDER = (
    Order("minEnergy", "maxEnergy"),
    Order("softLo", "softHi"),
    Order("hardLo", "hardHi"),
    Order("minEnergy", "softLo", strict=False),
    Order("minEnergy", "hardLo", strict=False),
    Order("softHi", "maxEnergy", strict=False),
    Order("hardHi", "maxEnergy", strict=False),
)

_USER_SLICES = {"timeslice": ("user",)}
_SPEC = _table(
    Param("hasRedshift", "specz", B, "Fit with a redshifted absorber.", mandatory=True,
          needs={True: ("redshift",)}, suggests={True: {"galactic": True}}),
    # D13: swifttools accepts float only; this tool accepts any number and sends a float.
    Param("redshift", "zval", F, "Source redshift.", bounds=_NOT_NEGATIVE,
          only_when={"hasRedshift": (True,)},
          sets={ANY: {"hasRedshift": True}}, suggests={ANY: {"galactic": True}}),
    Param("whichData", "specobs", S, "Which observations to use.", choices=("all", "user", "hours"),
          default="hours", needs={"user": ("useObs",), "hours": ("incHours",)},
          sets={"all": {"useObs": None}}),
    Param("useObs", "usespecobs", S, "ObsIDs or time ranges to use.",
          only_when={"whichData": ("user",)}, sets={ANY: {"whichData": "user"}}),
    Param("incHours", "specobstime", N, "Use observations within this many hours of the first.",
          default=12, bounds=_NOT_NEGATIVE, only_when={"whichData": ("hours",)}),
    Param("timeslice", "timeslice", S, "Which spectra to build.",
          choices=("single", "user", "snapshot", "obsid"), default="single",
          needs={"user": ("rname1", "gti1")}),
    Param("grades", "specgrades", S, "Event grades.", choices=("all", "0", "4"), default="all"),
    *(
        p
        for n in range(1, 5)
        for p in (
            Param(f"rname{n}", f"rname{n}", S, f"Label of user time slice {n} (alphanumeric).",
                  only_when=_USER_SLICES),
            Param(f"gti{n}", f"gti{n}", S, f"Time interval of user time slice {n}.",
                  only_when=_USER_SLICES),
        )
    ),
    Param("specStem", "specstem", S, "File stem when whichData is all.", default="interval0",
          only_when={"whichData": ("all",)}),
    # D8: the parameter table says True, the v1.10 release notes False; fitting is the service's
    # long-standing behaviour, so False.
    Param("doNotFit", "doNotFit", B, "Skip spectral fitting.", default=False,
          sets={True: {"hasRedshift": False}}),
    Param("galactic", "galactic", B, "Add an absorber fixed at the Galactic value.", default=False,
          only_when=_FITTED),
    Param("models", "models", L, "Emission models, each fitted separately.",
          choices=("powerlaw", "apec", "blackbody"), default=("powerlaw",), only_when=_FITTED),
    Param("deltaFitStat", "dchi", F, "Fit-statistic change for parameter errors.", default=2.706,
          bounds=_NOT_NEGATIVE, send_default=True, only_when=_FITTED),
    Param("srcrad", "srcrad", I, "Maximum source extraction radius (pixels).", bounds=(1, 30)),
)

_IMAGE = _table(
    Param("energies", "imen", S, "Comma-separated lo-hi energy bands (keV).",
          default="0.3-10,0.3-1.5,1.51-10"),
    Param("whichData", "imobs", S, "Which observations to use.", choices=("all", "user"),
          default="all", needs={"user": ("useObs",)}, sets={"all": {"useObs": None}}),
    Param("useObs", "useimobs", S, "ObsIDs or time ranges to use.",
          only_when={"whichData": ("user",)}, sets={ANY: {"whichData": "user"}}),
)

_SOURCEDET = _table(
    # D15: mandatory in swifttools (choose 'all' deliberately: jobs can hit the 12 h limit).
    Param("whichData", "detobs", S, "Which observations to search.", choices=("all", "user"),
          mandatory=True, needs={"user": ("useObs",)}, sets={"all": {"useObs": None}}),
    Param("useObs", "usedetobs", S, "ObsIDs or time ranges to search.",
          only_when={"whichData": ("user",)}, sets={ANY: {"whichData": "user"}}),
    # D26: lower case, as swifttools validates.
    Param("whichBands", "detbands", S, "Search the total band, or all SXPS bands.",
          choices=("total", "all"), default="total"),
    Param("fitStrayLight", "fitStrayLight", B, "Fit stray light.", default=True),
)

PRODUCTS: Mapping[str, Product] = _frozen(
    {
        LC: Product(LC, "lc", "lc", "light curve", _LC, needs_globals=("centroid",),
                    ordered=_LC_ORDER),
        SPEC: Product(SPEC, "spec", "spec", "spectrum", _SPEC, needs_globals=("centroid",)),
        PSF: Product(PSF, "psf", "dopsf", "standard position", _POSITION_SHARED),
        ENH: Product(ENH, "enh", "doenh", "enhanced position", _POSITION_SHARED),
        XASTROM: Product(
            XASTROM, "xastrom", "doxastrom", "astrometric position",
            {**_POSITION_SHARED,
             **_table(Param("useAllObs", "allxastrom", B, "Force all data for the astrometric position.",
                            default=False))},
        ),
        IMAGE: Product(IMAGE, "image", "image", "image", _IMAGE),
        SOURCEDET: Product(SOURCEDET, "sourceDet", "sourceDet", "source detection", _SOURCEDET),
    }
)

#: Globals every request needs unless it is source-detection only (swifttools ``_neededGlobals``
#: and ``skipGlobals``): value global -> directive that may stand in for it.
REQUIRED_GLOBALS: Mapping[str, str | None] = _frozen(
    {"name": None, "targ": "getTargs", "RA": "getCoords", "Dec": "getCoords",
     "centroid": None, "useSXPS": None}
)
#: Globals a source-detection-only request does without.
NOT_NEEDED_FOR_SOURCEDET_ONLY: tuple[str, ...] = ("RA", "Dec", "centroid", "useSXPS")

#: Server-internal keys in ``jobPars`` that are not request parameters, with the values the
#: server shows (§4.1); ``outdir`` is ``USERPROD_<JobID>``.
SERVER_INTERNAL: Mapping[str, Any] = _frozen(
    {"whatSXPS": "2SXPS", "do3col": 0, "enh": 0, "pcmaxbin": 100000000, "wtmaxbin": 100000000}
)
#: Envelope keys carried by every request and echoed in ``jobPars``.
ENVELOPE_KEYS: tuple[str, ...] = ("api_name", "api_version", "UserID")

class Status(IntEnum):
    """Product status codes (§2.5)."""

    CANCELLED = -4
    FAILED = -3
    QUEUE_FAILED = -2
    REQUEST_FAILED = -1
    REQUESTED = 1
    QUEUED = 2
    RUNNING = 3
    COMPLETE = 4
    #: astrometric position only: waiting for the standard position
    WAITING = 5


#: Texts for the codes; only 3, 4 and -4 are documented (D27), the others are this tool's.
STATUS_TEXT: Mapping[int, str] = _frozen(
    {
        Status.CANCELLED: "Cancelled at your request",
        Status.FAILED: "Job ran but produced no product",
        Status.QUEUE_FAILED: "Internal error: adding the job to the queue failed",
        Status.REQUEST_FAILED: "Internal error: the job could not be requested",
        Status.REQUESTED: "Requested, not yet queued",
        Status.QUEUED: "Queued",
        Status.RUNNING: "Running",
        Status.COMPLETE: "Complete",
        Status.WAITING: "Waiting for the standard position to finish",
    }
)
#: statusText of a product that was not part of the job (its statusCode is null)
UNKNOWN_STATUS_TEXT = "Unknown status"
TERMINAL_STATUSES = frozenset({Status.CANCELLED, Status.FAILED, Status.QUEUE_FAILED,
                               Status.REQUEST_FAILED, Status.COMPLETE})
ACTIVE_STATUSES = frozenset({Status.REQUESTED, Status.QUEUED, Status.RUNNING, Status.WAITING})


class Endpoint(StrEnum):
    """The JSON endpoints, relative to the base URL (§2)."""

    SUBMIT = "run_userobject.php"
    COUNT_JOBS = "getNumJobs.php"
    LIST_JOBS = "listOldJobs.php"
    OLD_PRODUCT = "getOldProduct.php"
    STATUS = "checkProductStatus.php"
    CANCEL = "canceljob.php"


#: Cancel outcome codes (§2.6).
CANCEL_TEXT: Mapping[int, str] = _frozen(
    {
        0: "Job cancelled OK",
        1: "Job could not be cancelled - has it already finished?",
        2: "No record of this product for this job",
        3: "Job could not be cancelled - reason unknown",
        4: "Outcome unknown because of an error",
    }
)

DOWNLOAD_FORMATS: tuple[str, ...] = ("tar.gz", "tar", "zip")
#: download stem of the archive holding every product of a job (§2.11); the others are the
#: product keys
DOWNLOAD_ALL = "all"


# --- derived lookups ------------------------------------------------------------------------------

def product_by_key(key: str) -> Product:
    """The product for a short key (``lc``) or a long name (``LightCurve``)."""
    return _BY_KEY[key]


_BY_KEY: dict[str, Product] = {
    **{p.key: p for p in PRODUCTS.values()},
    **{p.name: p for p in PRODUCTS.values()},
}

#: wire flag -> product, in the order swifttools reads them
PRODUCT_BY_FLAG: Mapping[str, Product] = _frozen({p.flag: p for p in PRODUCTS.values()})

#: wire key (and wire aliases) -> global parameter
GLOBAL_BY_WIRE: Mapping[str, Param] = _frozen(
    {w: p for p in GLOBALS.values() for w in p.wire_keys}
)


def product_param_by_wire(product: str) -> dict[str, Param]:
    """wire key -> parameter, for one product."""
    return {w: p for p in PRODUCTS[product].params.values() for w in p.wire_keys}


#: The scope name of the global parameters, beside the product names.
GLOBAL_SCOPE = "globals"


def params_of(scope: str) -> Mapping[str, Param]:
    """The parameter table of ``scope``: ``GLOBAL_SCOPE`` or a product name."""
    return GLOBALS if scope == GLOBAL_SCOPE else PRODUCTS[scope].params


def python_names(scope: str) -> tuple[str, ...]:
    """Every valid Python name (with deprecated aliases) in ``scope``."""
    table = params_of(scope)
    return tuple(name for p in table.values() for name in (p.name, *p.aliases))


def lookup(scope: str, name: str) -> Param | None:
    """The parameter called ``name`` (or one of its aliases) in ``scope``, or None."""
    table = params_of(scope)
    if name in table:
        return table[name]
    for p in table.values():
        if name in p.aliases:
            return p
    return None


def wire_to_python() -> dict[str, str]:
    """A word map from wire names to Python names, for rewriting server error texts.

    Product parameters read ``LightCurve: pcCounts``; a wire key several products share reads
    ``StandardPos/EnhancedPos/AstromPos: whichData``.
    """
    names: dict[str, str] = {p.wire: p.name for p in GLOBALS.values()}
    owners: dict[str, list[str]] = {}
    python: dict[str, str] = {}
    for prod in PRODUCTS.values():
        for p in prod.params.values():
            owners.setdefault(p.wire, []).append(prod.name)
            python.setdefault(p.wire, p.name)
    for wire, products in owners.items():
        names.setdefault(wire, f"{'/'.join(products)}: {python[wire]}")
    return names
