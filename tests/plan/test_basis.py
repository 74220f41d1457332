"""What a saved plan was computed from, and naming what moved."""

from __future__ import annotations

from pathlib import Path

from reconciler.plan.basis import PARTS, Deferred, basis, deferred, moved

from .support import SERVER, USER, Server, load, plan

GK = ("GK Per: {RA: 52.799, Dec: 43.9047, targ: '00030842', "
      "LightCurve: {binMeth: snapshot}}\n")


def test_the_basis_moves_with_the_history_of_planned_names_only(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    first = plan(sources, server)
    assert set(first.basis) == set(PARTS)
    server.add(1, "Unrelated", sources["GK Per"].request)
    assert moved(first.basis, plan(sources, server).basis) == []
    server.add(2, "GK Per", sources["GK Per"].request)
    assert moved(first.basis, plan(sources, server).basis) == ["history", "statuses"]


def test_the_basis_is_worked_out_once_and_only_when_read(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    server.add(1, "GK Per", sources["GK Per"].request)
    result = plan(sources, server)
    inputs = (SERVER, USER, result.lock, tuple(server.rows), ["GK Per"], {1: {}})
    calls: list[int] = []

    def work() -> dict[str, str]:
        calls.append(1)
        return basis(*inputs)

    later = Deferred(work)
    assert calls == []  # a plan that is only shown never digests its lock
    assert dict(later) == basis(*inputs) and later["lock"] == basis(*inputs)["lock"]
    assert len(later) == len(PARTS) and calls == [1]
    assert dict(deferred(*inputs)) == basis(*inputs)
