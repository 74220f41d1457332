"""The simulator's stand-in for SIMBAD and the Swift observation database.

The real server resolves ``getCoords`` through SIMBAD, ``getTargs`` through the Swift target
database (targets named like the object and targets whose XRT field covers the position) and
``getT0`` from the GRB trigger time or the first observation. Offline, this small catalogue of
well-known Swift targets answers the same questions.

Provenance: coordinates are J2000 SIMBAD/XRT positions rounded to 4 decimals. GRB target IDs are
their BAT trigger numbers and T0 is the trigger time in Swift MET (seconds since 2001-01-01 UTC,
the convention that gives GRB 200416A its documented T0 608713541.952). GK Per's target list
and first-observation T0 are those of the documented server reply (ukssdc-api.md §4.3). For the
other non-GRB sources the target IDs and first-observation times are this simulator's choice:
plausible, stable, not authoritative.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable

#: XRT field of view radius (degrees): a target "covers" a position within this distance.
XRT_FIELD_RADIUS = 12.0 / 60.0


@dataclass(frozen=True)
class Target:
    """One object: ``targets`` are its Swift target IDs, the first being the primary one."""

    name: str
    kind: str
    ra: float
    dec: float
    targets: tuple[str, ...]
    t0: float
    aliases: tuple[str, ...] = ()


_GK_PER_TARGETS = (
    "00010873", "00010907", "00010944", "00030842", "00031653", "00045767", "00010502",
    "00060130", "00060134", "00060136", "00060138", "00060140", "00060142", "00060144",
    "00060146", "00060148", "00060150", "00060152", "00060156", "00060158", "00060160",
    "00067244", "00069549", "00069616", "00074701",
)

CATALOGUE: tuple[Target, ...] = (
    # Gamma-ray bursts: T0 = BAT trigger time.
    Target("GRB 200416A", "GRB", 335.6985, -7.5179, ("00966554",), 608713541.952),
    Target("GRB 050509B", "GRB", 189.0573, 28.9838, ("00118749",), 137304019.23),
    Target("GRB 050724", "GRB", 246.1850, -27.5408, ("00147478",), 143901249.0),
    Target("GRB 060218", "GRB", 50.4154, 16.8672, ("00191157",), 161926470.0),
    Target("GRB 060614", "GRB", 320.8838, -53.0267, ("00214805",), 171981828.0),
    Target("GRB 060729", "GRB", 95.3825, -62.3700, ("00221755",), 175893149.0),
    Target("GRB 070724A", "GRB", 27.8083, -18.5942, ("00282445",), 206967230.0),
    Target("GRB 080319B", "GRB", 217.9196, 36.3025, ("00306757",), 227599969.0,
           aliases=("naked-eye burst",)),
    Target("GRB 090423", "GRB", 148.8888, 18.1494, ("00350184",), 262166119.0),
    Target("GRB 111209A", "GRB", 14.3442, -46.8008, ("00509336",), 345107528.0),
    Target("GRB 130427A", "GRB", 173.1367, 27.6989, ("00554620",), 388741677.0),
    Target("GRB 190114C", "GRB", 54.5050, -26.9464, ("00883832",), 569192223.0),
    Target("GRB 211211A", "GRB", 212.2921, 27.8883, ("01088940",), 660920999.0),
    Target("GRB 221009A", "GRB", 288.2646, 19.7733, ("01126853",), 687017417.0,
           aliases=("BOAT",)),
    # Novae: T0 = start of the first observation.
    Target("GK Per", "nova", 52.7990, 43.9047, _GK_PER_TARGETS, 124048802.40058,
           aliases=("GK Persei", "Nova Persei 1901")),
    Target("RS Oph", "nova", 267.5550, -6.7078, ("00030378",), 161622368.0,
           aliases=("RS Ophiuchi",)),
    Target("V2491 Cyg", "nova", 295.7582, 32.3205, ("00031188",), 229584972.0),
    Target("U Sco", "nova", 245.6283, -17.8786, ("00031620",), 286421380.0),
    Target("T Pyx", "nova", 136.1730, -32.3797, ("00031973",), 324553943.0),
    Target("V339 Del", "nova", 305.8779, 20.7678, ("00032891",), 398361100.0),
    Target("V1674 Her", "nova", 284.3791, 16.8943, ("00014339",), 645224923.0),
    # X-ray binaries.
    Target("Sco X-1", "XRB", 244.9795, -15.6403, ("00030903",), 147003422.0),
    Target("Cyg X-1", "XRB", 299.5903, 35.2016, ("00031223",), 134461180.0),
    Target("GX 339-4", "XRB", 255.7058, -48.7897, ("00030943",), 132586131.0),
    Target("Aql X-1", "XRB", 287.8169, 0.5850, ("00030796",), 193970531.0),
    Target("MAXI J1820+070", "XRB", 275.0914, 7.1853, ("00010627",), 542506898.0,
           aliases=("ASASSN-18ey",)),
    Target("Swift J1753.5-0127", "XRB", 268.3679, -1.4517, ("00030090",), 141900992.0),
    Target("SS 433", "XRB", 287.9565, 4.9828, ("00031366",), 181534490.0),
    Target("MAXI J1659-152", "XRB", 254.7571, -15.2581, ("00434928", "00434931"), 307349483.0,
           aliases=("GRB 100925A",)),
    Target("Swift J1357.2-0933", "XRB", 209.3205, -9.5442, ("00031918",), 317032206.0),
    Target("MAXI J1535-571", "XRB", 233.8322, -57.2300, ("00010264",), 526219208.0),
    # Active galactic nuclei.
    Target("Mrk 421", "AGN", 166.1138, 38.2088, ("00030352",), 133935110.0,
           aliases=("Markarian 421",)),
    Target("Mrk 501", "AGN", 253.4676, 39.7602, ("00030793",), 133891595.0,
           aliases=("Markarian 501",)),
    Target("3C 279", "AGN", 194.0465, -5.7893, ("00030867",), 158805433.0),
    Target("3C 273", "AGN", 187.2779, 2.0524, ("00030891",), 138276001.0),
    Target("NGC 4151", "AGN", 182.6358, 39.4058, ("00030906",), 135389924.0),
    Target("PKS 2155-304", "AGN", 329.7169, -30.2256, ("00030795",), 155035285.0),
    Target("Sgr A*", "AGN", 266.4168, -29.0078, ("00035063",), 161735411.0),
)


def normalise(name: str) -> str:
    """Names match the way people type them: case, spaces and underscores do not matter."""
    return re.sub(r"[\s_]+", "", name).lower()


_BY_NAME: dict[str, Target] = {
    normalise(alias): t for t in CATALOGUE for alias in (t.name, *t.aliases)
}


def by_name(name: str) -> Target | None:
    """The catalogue entry called ``name`` (or one of its aliases), if any."""
    return _BY_NAME.get(normalise(name))


def separation(ra1: float, dec1: float, ra2: float, dec2: float) -> float:
    """Angular distance in degrees (haversine, stable for small angles)."""
    p1, p2 = math.radians(dec1), math.radians(dec2)
    dp, dl = p2 - p1, math.radians(ra2 - ra1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return math.degrees(2 * math.asin(min(1.0, math.sqrt(h))))


def covering(ra: float, dec: float) -> list[Target]:
    """Targets whose XRT field covers the position, nearest first."""
    near = [(separation(ra, dec, t.ra, t.dec), t) for t in CATALOGUE]
    return [t for d, t in sorted(near, key=lambda x: x[0]) if d <= XRT_FIELD_RADIUS]


def resolve_coords(name: str) -> tuple[float, float] | None:
    """``getCoords``: the position of a named object, or None when the name is unknown."""
    target = by_name(name)
    return None if target is None else (target.ra, target.dec)


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def resolve_targets(name: str, ra: float | None, dec: float | None) -> list[str]:
    """``getTargs``: target IDs named like the object, then those covering the position."""
    found: list[Target] = []
    named = by_name(name)
    if named is not None:
        found.append(named)
    if ra is not None and dec is not None:
        found += covering(ra, dec)
    return _unique(i for t in found for i in t.targets)


def resolve_t0(name: str, ra: float | None, dec: float | None) -> float | None:
    """``getT0``: the GRB trigger or first-observation time of the object, if known."""
    named = by_name(name)
    if named is not None:
        return named.t0
    if ra is not None and dec is not None:
        near = covering(ra, dec)
        if near:
            return near[0].t0
    return None
