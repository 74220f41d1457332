"""The documented request and reply examples of ukssdc-api.md, verbatim, for several tests."""

from __future__ import annotations

from typing import Any

#: §4.2: jobPars of the PYDOC GRB 200416A job (`lcobs: 0` is an old numeric code, D2).
EXAMPLE_4_2: dict[str, Any] = {
    "api_name": "xrt_prods", "api_version": "0.1", "UserID": "YOUR_EMAIL_ADDRESS",
    "cent": 1, "name": "GRB 200416A", "RA": "335.6985", "Dec": "-7.5179", "centMeth": "simple",
    "useSXPS": 0, "Tstart": 608713541.952, "poserr": 1,
    "lc": 1, "binMeth": "counts", "pccounts": "20", "wtcounts": "30", "dynamic": 1,
    "spec": 1, "specz": 0,
    "dopsf": 1, "doenh": 1, "doxastrom": 1, "allxastrom": 1,
    "whatSXPS": "2SXPS", "image": 0, "sss": "0", "sinceT0": 0, "lcobs": 0, "hrbin": 0,
    "do3col": 0, "enh": 0, "wtpuprate": 150, "pcpuprate": 0.6, "maxCentTries": "10",
    "soft1": "0.3", "soft2": "1.5", "hard1": "1.5", "hard2": "10", "minen": "0.3",
    "maxen": "10", "grades": "all", "sigmin": "3", "allowUL": "both", "allowB": "both",
    "bayesCounts": 15, "bayesSNR": 2.4, "lctimetype": "s", "pcbin": "2.51", "wtbin": "0.5",
    "ratefact": "10", "binfact": "1.5", "mincmin": "15", "minsnr": 1.5,
    "pcmaxbin": 100000000, "wtmaxbin": 100000000, "pcmaxgap": 100000000,
    "wtmaxgap": 100000000, "femin": "0", "timeslice": "single", "specobs": "hours",
    "specobstime": 12, "specgrades": "all", "posRadius": "20", "posobs": "hours",
    "posobstime": 12, "detornot": "detect", "detMeth": "simple", "targ": "00966554",
}

#: §4.3: jobPars of the RAW GK Per job (numeric enumerations, D2; braces round targ, D28).
EXAMPLE_4_3: dict[str, Any] = {
    "UserID": "pae9@leicester.ac.uk", "name": "GK Per", "getCoords": 1, "getTargs": 1,
    "getT0": 1, "cent": 1, "centMeth": "3", "poserr": 60, "spec": 1, "specz": 0,
    "timeslice": 1, "specobs": 1, "specgrades": "all", "whatSXPS": "2SXPS",
    "useSXPS": "2SXPS", "lc": 0, "image": 0, "sss": "0", "sinceT0": 0, "lcobs": 0, "hrbin": 0,
    "dopsf": 0, "doenh": 0, "doxastrom": 0, "allxastrom": 0, "do3col": 0, "enh": 0,
    "outdir": "USERPROD_14", "wtpuprate": 150, "pcpuprate": 0.6, "maxCentTries": "10",
    "specobstime": 12, "RA": "52.8000", "Dec": "43.9043",
    "targ": "{00010873,00010907,00010944,00030842,00031653,00045767,00010502,00060130,"
            "00060134,00060136,00060138,00060140,00060142,00060144,00060146,00060148,00060150,"
            "00060152,00060156,00060158,00060160,00067244,00069549,00069616,00074701}",
    "Tstart": 124048802.40058,
}

#: §3.11: the PYDOC tutorial request as canonical inputs of ``request.build`` ...
TUTORIAL_NAME = "GRB 200416A"
TUTORIAL_GLOBALS: dict[str, Any] = {
    "getTargs": True, "centroid": True, "RA": 335.6985, "Dec": -7.5179, "centMeth": "simple",
    "useSXPS": False, "T0": 608713541.952, "posErr": 1,
}
TUTORIAL_PRODUCTS: dict[str, dict[str, Any]] = {
    "LightCurve": {"binMeth": "counts", "pcCounts": 20, "wtCounts": 30, "dynamic": True},
    "Spectrum": {"hasRedshift": False, "galactic": True},
    "StandardPos": {}, "EnhancedPos": {}, "AstromPos": {"useAllObs": True},
}
TUTORIAL_USER = "YOUR_EMAIL_ADDRESS"
#: ... and the body swifttools 4.0.5 sends for it.
TUTORIAL_PAYLOAD: dict[str, Any] = {
    "api_name": "xrt_prods", "api_version": "1.12", "UserID": "YOUR_EMAIL_ADDRESS",
    "getTargs": 1, "cent": 1, "name": "GRB 200416A", "RA": 335.6985, "Dec": -7.5179,
    "centMeth": "simple", "useSXPS": 0, "Tstart": 608713541.952, "getT0": 0, "poserr": 1,
    "lc": 1, "binMeth": "counts", "pccounts": 20, "wtcounts": 30, "dynamic": 1, "spec": 1,
    "dchi": 2.706, "specz": 0, "galactic": 1, "dopsf": 1, "doenh": 1, "doxastrom": 1,
    "allxastrom": 1,
}
