"""Product archives: real files in each format, with the documented contents."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from typing import Any

import pytest

from reconciler.protocol.catalogue import DOWNLOAD_FORMATS, GLOBALS, PRODUCTS
from reconciler.sim import archives
from reconciler.sim.directives import resolve
from reconciler.sim.jobpars import build_job_pars
from reconciler.sim.validation import judge

from .support import payload

EVERY = {"LightCurve": {"binMeth": "snapshot"},
         "Spectrum": {"hasRedshift": False, "timeslice": "user", "rname1": "early-1",
                      "gti1": "0-1000", "rname2": "late", "gti2": "1000-9000"},
         "StandardPos": {}, "EnhancedPos": {}, "AstromPos": {},
         "Image": {"energies": "0.3-2,2-10"}, "SourceDet": {"whichData": "all",
                                                          "whichBands": "all"}}
KEYS = [p.key for p in PRODUCTS.values()]


def job_pars() -> dict[str, Any]:
    verdict = judge(payload("GK Per", products=EVERY))
    assert verdict.ok, verdict.groups
    request, failure = resolve(verdict.request)
    assert failure is None
    return build_job_pars(verdict.payload, request, 21)


def names(data: bytes, fmt: str) -> set[str]:
    if fmt == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert z.testzip() is None
            return {n.rstrip("/") for n in z.namelist()}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz" if fmt == "tar.gz" else "r:") as t:
        return {m.name for m in t.getmembers()}


@pytest.mark.parametrize("fmt", DOWNLOAD_FORMATS)
def test_every_format_is_a_real_archive(fmt: str) -> None:
    data = archives.build(21, job_pars(), ["lc"], {"lc"}, fmt, 1e9)
    assert {"USERPROD_21/lc/curve.qdp", "USERPROD_21/lc/PCCURVE.qdp", "USERPROD_21/lc/PCUL.qdp",
            "USERPROD_21/lc/WTCURVE.qdp", "USERPROD_21/lc/WTUL.qdp"} <= names(data, fmt)
    if fmt == "tar.gz":
        assert data[:2] == b"\x1f\x8b"


def test_documented_files_per_product() -> None:
    jp = job_pars()
    files = {key: set(archives.product_files(21, jp, key)) for key in KEYS}
    assert {"early1.tar.gz", "late.tar.gz"} <= files["spec"]
    assert any(f.startswith("scripts/") for f in files["spec"])
    assert {"results.dat", "summed.gif"} <= files["psf"]
    assert "success.txt" in files["enh"]
    assert {"corrpos.dat", "xastrom_corr.dat", "orig.gif", "corrected.gif"} <= files["xastrom"]
    assert {"images.log", "image1.img.gz", "image2.img.gz", "summed_ex.img.gz",
            "summed_vignet_ex.img.gz"} <= files["image"] and "image3.img.gz" not in files["image"]
    assert {f"{b}_sources.txt" for b in ("Total", "Soft", "Medium", "Hard")} <= files["sourceDet"]


def test_contents_follow_the_job() -> None:
    jp = job_pars()
    psf = archives.product_files(21, jp, "psf")["results.dat"].decode().split("\t")
    assert abs(float(psf[0]) - 52.799) < 0.01 and abs(float(psf[1]) - 43.9047) < 0.01
    assert psf[2].startswith("03 31") and psf[3].startswith("+43 54")
    success = archives.product_files(21, jp, "enh")["success.txt"].decode().splitlines()
    assert len(success) == 11 and success[0] == "GK Per"
    braced = {**jp, GLOBALS["targ"].wire: "{00030842,00031653}"}  # D28
    assert archives.product_files(21, braced, "enh")["success.txt"].decode().splitlines()[1] == (
        "00030842,00031653")
    log = archives.product_files(21, jp, "image")["images.log"].decode().splitlines()
    assert log == ["1\t0.3\t2", "2\t2\t10"]
    fits = gzip.decompress(archives.product_files(21, jp, "image")["image1.img.gz"])
    assert len(fits) % 2880 == 0 and fits.startswith(b"SIMPLE  =")
    spec = archives.product_files(21, jp, "spec")["late.tar.gz"]
    assert any(n.endswith("pcsource.pi") for n in names(spec, "tar.gz"))


def test_all_has_a_directory_per_product_and_files_only_for_complete_ones() -> None:
    data = archives.build(21, job_pars(), ["lc", "spec"], {"lc"}, "zip", 1e9)
    found = names(data, "zip")
    assert {"USERPROD_21", "USERPROD_21/lc", "USERPROD_21/spec"} <= found
    assert not any(n.startswith("USERPROD_21/spec/") for n in found)


def test_archives_are_reproducible() -> None:
    jp = job_pars()
    for fmt in DOWNLOAD_FORMATS:
        assert archives.build(21, jp, KEYS, set(KEYS), fmt, 1e9) == \
            archives.build(21, jp, KEYS, set(KEYS), fmt, 1e9)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        archives.build(21, job_pars(), ["lc"], {"lc"}, "rar", 0)
