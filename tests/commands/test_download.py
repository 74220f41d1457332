"""``download``: serving products into DIR, kept unless --clobber, extracted safely."""

from __future__ import annotations

import tarfile
from pathlib import Path
from typing import Any

import pytest

from .support import run, spec_text

pytestmark = pytest.mark.usefixtures("isolated")


def test_download_saves_keeps_and_extracts(sim_factory: Any, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=0.02)
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text(1))
    assert run(capsys, "apply", str(spec), "--server", sim.base_url, "--auto-approve",
               "--wait")[0] == 0
    code, out, _ = run(capsys, "download", str(spec), "dl", "--server", sim.base_url)
    assert code == 0 and "Download: 2 archives saved, 0 already there." in out
    archive = tmp_path / "dl" / "SRC_000" / "lc.tar.gz"
    with tarfile.open(archive) as tar:
        assert any(n.endswith("lc/curve.qdp") for n in tar.getnames())
    first = archive.stat().st_mtime_ns
    code, out, _ = run(capsys, "download", str(spec), "dl", "--server", sim.base_url)
    assert "Download: 0 archives saved, 2 already there." in out
    assert archive.stat().st_mtime_ns == first
    code, out, _ = run(capsys, "download", str(spec), "dl", "--server", sim.base_url,
                       "--format", "zip", "--extract")
    assert code == 0
    assert (tmp_path / "dl" / "SRC_000" / "USERPROD_1" / "lc" / "curve.qdp").is_file()
    code, out, _ = run(capsys, "download", str(spec), "dl", "--server", sim.base_url,
                       "--format", "zip", "--extract")
    assert code == 0 and "kept" in out


def test_nothing_to_download_before_a_job_finished(sim_factory: Any, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=60.0)
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text(1))
    assert run(capsys, "apply", str(spec), "--server", sim.base_url, "--auto-approve")[0] == 0
    code, out, _ = run(capsys, "download", str(spec), "dl", "--server", sim.base_url)
    assert code == 0 and "no finished job yet" in out
    assert not (tmp_path / "dl").exists() or not any((tmp_path / "dl").rglob("*.tar.gz"))
