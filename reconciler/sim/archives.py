"""Product archives: real zip/tar/tar.gz files with the files the UKSSDC puts in them (§2.11).

The contents are small but plausible (QDP light curves, FITS headers, position files in the
documented layouts), derived from the job's own parameters so that two jobs differ, and
byte-for-byte reproducible: a client that downloads twice gets the same file.
Every archive unpacks to ``USERPROD_<JobID>/<product>/...``; ``all`` holds one directory per
product of the job, empty for products that did not complete.
"""

from __future__ import annotations

import gzip
import io
import re
import tarfile
import zipfile
from typing import Any, Callable, Mapping

from ..protocol.catalogue import (
    DOWNLOAD_ALL,
    DOWNLOAD_FORMATS,
    ENH,
    GLOBALS,
    IMAGE,
    LC,
    PRODUCTS,
    PSF,
    SOURCEDET,
    SPEC,
    XASTROM,
)
from ..protocol.values import from_server
from .faults import uniform
from .jobpars import job_dir

#: A transparent 1x1 GIF: the real archives hold GIF plots.
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
       b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

Files = dict[str, bytes]


def _fits(**cards: Any) -> bytes:
    """A minimal valid FITS file (primary header, no data) carrying ``cards``."""
    lines = ["SIMPLE  =                    T", "BITPIX  =                    8",
             "NAXIS   =                    0"]
    for key, value in cards.items():
        shown = f"'{value}'" if isinstance(value, str) else repr(value)
        lines.append(f"{key[:8]:<8}= {shown:>20}")
    lines.append("END")
    header = "".join(line.ljust(80) for line in lines)
    return header.ljust(-(-len(header) // 2880) * 2880).encode("ascii")


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _sexagesimal(ra: float, dec: float) -> tuple[str, str]:
    h = ra / 15.0
    hh, mm = int(h), int((h - int(h)) * 60)
    ss = (h * 3600) - hh * 3600 - mm * 60
    sign = "-" if dec < 0 else "+"
    d = abs(dec)
    dd, dm = int(d), int((d - int(d)) * 60)
    ds = d * 3600 - dd * 3600 - dm * 60
    return f"{hh:02d} {mm:02d} {ss:05.2f}", f"{sign}{dd:02d} {dm:02d} {ds:04.1f}"


class _Job:
    """The parameters an archive needs, read from ``jobPars``."""

    def __init__(self, job_id: int, job_pars: Mapping[str, Any]) -> None:
        self.id = job_id
        self.pars = job_pars
        self.name = str(job_pars.get(GLOBALS["name"].wire, ""))
        self.ra = float(job_pars.get(GLOBALS["RA"].wire) or 0.0)
        self.dec = float(job_pars.get(GLOBALS["Dec"].wire) or 0.0)
        self.t0 = float(job_pars.get(GLOBALS["T0"].wire) or 0.0)
        self.targ = from_server(GLOBALS["targ"], job_pars.get(GLOBALS["targ"].wire, ""))

    def draw(self, *what: object) -> float:
        return uniform(self.id, *what)

    def position(self, what: str) -> tuple[float, float, float]:
        """A measured position a few arcsec from the input, and its 90% error (arcsec)."""
        ra = self.ra + (self.draw(what, "ra") - 0.5) * 6 / 3600
        dec = self.dec + (self.draw(what, "dec") - 0.5) * 6 / 3600
        return ra, dec, round(1.4 + 3 * self.draw(what, "err"), 1)


def _qdp(job: _Job, mode: str, upper_limits: bool) -> bytes:
    columns = "Time T_+ve T_-ve Rate Ratepos Rateneg"
    rows = []
    for i in range(8):
        t = (i + 1) * (50.0 if mode == "WT" else 3000.0) * (1 + job.draw(mode, i))
        rate = 20.0 * (t / 100.0) ** -1.2
        if upper_limits:
            rows.append(f"{t:.3f}\t{t * 0.1:.3f}\t{-t * 0.1:.3f}\t{rate:.5g}\t0\t0")
        else:
            rows.append(f"{t:.3f}\t{t * 0.1:.3f}\t{-t * 0.1:.3f}\t{rate:.5g}\t"
                        f"{rate * 0.15:.4g}\t{-rate * 0.15:.4g}")
    header = (f"! {job.name}: XRT {mode} {'upper limits' if upper_limits else 'light curve'}\n"
              f"! T0 = {job.t0} (Swift MET)\n! {columns}\nREAD TERR 1 2\n")
    return (header + "\n".join(rows) + "\n").encode()


def _lc(job: _Job) -> Files:
    parts = {f"{m}{'UL' if ul else 'CURVE'}.qdp": _qdp(job, m, ul)
             for m in ("PC", "WT") for ul in (False, True)}
    curve = b"".join(parts[k] + b"NO NO NO NO NO NO\n" for k in sorted(parts))
    return {"curve.qdp": curve, **parts, "lc.gif": GIF}


def _slices(pars: Mapping[str, Any]) -> list[str]:
    spec = PRODUCTS[SPEC].params
    if pars.get(spec["timeslice"].wire) == "user":
        names = [pars.get(spec[f"rname{n}"].wire) for n in range(1, 5)]
        return [re.sub(r"[^A-Za-z0-9]", "", str(n)) for n in names if n] or ["interval0"]
    if pars.get(spec["whichData"].wire) == "all":
        return [str(pars.get(spec["specStem"].wire) or "interval0")]
    return ["interval0"]


def _spec(job: _Job) -> Files:
    files: Files = {}
    for label in _slices(job.pars):
        inner = {f"{label}{mode}{kind}": _fits(OBJECT=job.name, TSTART=job.t0, DATAMODE=mode.upper())
                 for mode in ("pc", "wt") for kind in ("source.pi", "back.pi", ".arf")}
        files[f"{label}.tar.gz"] = _archive({f"{label}/{k}": v for k, v in inner.items()}, "tar.gz")
    files["scripts/fit_powerlaw.xcm"] = (
        f"# XSPEC script for {job.name}\ndata interval0pcsource.pi\nignore bad\n"
        f"model tbabs*pow\nfit\n").encode()
    return files


def _results_dat(ra: float, dec: float, err: float) -> bytes:
    ras, decs = _sexagesimal(ra, dec)
    return f"{ra:.5f}\t{dec:.5f}\t{ras}\t{decs}\t{err}\t0\t1\t0\t0\t0\t0\n".encode()


def _psf(job: _Job) -> Files:
    ra, dec, err = job.position("psf")
    files: Files = {"summed.gif": GIF, "centroid.img.gz": _gz(_fits(OBJECT=job.name))}
    if str(job.pars.get(GLOBALS["useSXPS"].wire, "0")) == "1":
        ras, decs = _sexagesimal(ra, dec)
        files["INSXPS"] = (f"{int(job.draw('sxps') * 200000)}\n{ra:.5f}\n{dec:.5f}\n{err}\n{ras}\n"
                           f"{decs}\n{10000000000 + job.id}\n2SXPS\n").encode()
    else:
        files["results.dat"] = _results_dat(ra, dec, err)
    return files


def _enh(job: _Job) -> Files:
    ra, dec, err = job.position("enh")
    ras, decs = _sexagesimal(ra, dec)
    lines = [job.name, job.targ, "1", "5020.3", "0", "0", f"{ra:.5f}", f"{dec:.5f}", ras, decs,
             str(err)]
    return {"success.txt": ("\n".join(lines) + "\n").encode(), "enh.gif": GIF,
            "enh.ps": b"%!PS-Adobe-3.0\n%%EOF\n"}


def _xastrom(job: _Job) -> Files:
    ra, dec, err = job.position("xastrom")
    ras, decs = _sexagesimal(ra, dec)
    corr = [(job.draw("corr", i) - 0.5) * 4 for i in range(3)]
    return {
        "corrpos.dat": f"{ra:.5f}\t{dec:.5f}\t{ras}\t{decs}\t{err}\n".encode(),
        "xastrom_corr.dat": f"{corr[0]:.2f}\t{corr[1]:.2f}\t{corr[2]:.2f}\t{err}\n".encode(),
        "orig.gif": GIF,
        "corrected.gif": GIF,
    }


def _image(job: _Job) -> Files:
    energies = PRODUCTS[IMAGE].params["energies"]
    bands = str(job.pars.get(energies.wire) or energies.default).split(",")
    files: Files = {}
    log = []
    for n, band in enumerate(bands, start=1):
        lo, _, hi = band.partition("-")
        log.append(f"{n}\t{lo}\t{hi}")
        files[f"image{n}.img.gz"] = _gz(_fits(OBJECT=job.name, E_MIN=float(lo), E_MAX=float(hi)))
        files[f"image{n}.gif"] = GIF
    files["images.log"] = ("\n".join(log) + "\n").encode()
    for stem in ("summed_ex", "summed_vignet_ex"):
        files[f"{stem}.img.gz"] = _gz(_fits(OBJECT=job.name, EXPOSURE=5020.3))
        files[f"{stem}.gif"] = GIF
    return files


_SOURCE_COLUMNS = ("sno", "x", "y", "ra", "ra_pos", "ra_neg", "dec", "dec_pos", "dec_neg",
                   "err90", "l", "b", "C")


def _source_det(job: _Job) -> Files:
    bands_param = PRODUCTS[SOURCEDET].params["whichBands"]
    every = job.pars.get(bands_param.wire) == "all"
    files: Files = {"summed.gif": GIF}
    for band in (("Total", "Soft", "Medium", "Hard") if every else ("Total",)):
        rows = ["\t".join(_SOURCE_COLUMNS)]
        for n in range(1, 4):
            ra = job.ra + (job.draw(band, n, "ra") - 0.5) * 0.2
            dec = job.dec + (job.draw(band, n, "dec") - 0.5) * 0.2
            rows.append(f"{n}\t{400 + 200 * job.draw(band, n, 'x'):.2f}\t"
                        f"{400 + 200 * job.draw(band, n, 'y'):.2f}\t{ra:.5f}\t0.0002\t-0.0002\t"
                        f"{dec:.5f}\t0.0002\t-0.0002\t{3 + n:.1f}\t0\t0\t{int(50 / n)}")
        files[f"{band}_sources.txt"] = ("\n".join(rows) + "\n").encode()
    return files


_BUILDERS: dict[str, Callable[[_Job], Files]] = {
    PRODUCTS[product].key: builder
    for product, builder in ((LC, _lc), (SPEC, _spec), (PSF, _psf), (ENH, _enh),
                             (XASTROM, _xastrom), (IMAGE, _image), (SOURCEDET, _source_det))
}

#: The stems a download URL may name: every product key, and ``all``.
STEMS: tuple[str, ...] = (*_BUILDERS, DOWNLOAD_ALL)


def _archive(files: Mapping[str, bytes], fmt: str, mtime: float = 0.0,
             dirs: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    if fmt == "zip":
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for d in dirs:
                archive.writestr(zipfile.ZipInfo(d.rstrip("/") + "/", (1980, 1, 1, 0, 0, 0)), b"")
            for path, data in files.items():
                archive.writestr(zipfile.ZipInfo(path, (1980, 1, 1, 0, 0, 0)), data)
        return buffer.getvalue()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for d in dirs:
            info = tarfile.TarInfo(d.rstrip("/"))
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, int(mtime)
            archive.addfile(info)
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime = len(data), 0o644, int(mtime)
            archive.addfile(info, io.BytesIO(data))
    data = buffer.getvalue()
    return _gz(data) if fmt == "tar.gz" else data


def product_files(job_id: int, job_pars: Mapping[str, Any], key: str) -> Files:
    """The files of one product, relative to its directory."""
    return _BUILDERS[key](_Job(job_id, job_pars))


def build(job_id: int, job_pars: Mapping[str, Any], keys: list[str], complete: set[str],
          fmt: str, mtime: float) -> bytes:
    """The archive of ``keys`` (one directory each; files only for ``complete`` products)."""
    if fmt not in DOWNLOAD_FORMATS:
        raise ValueError(f"unknown archive format {fmt!r}")
    root = job_dir(job_id)
    files: Files = {}
    for key in keys:
        if key in complete:
            for path, data in product_files(job_id, job_pars, key).items():
                files[f"{root}/{key}/{path}"] = data
    dirs = tuple(f"{root}/{key}" for key in keys)
    return _archive(files, fmt, mtime, dirs=(root, *dirs))
