"""The plan as text: Terraform-like blocks, parameter lines, sections, one summary line."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from reconciler.plan.render_text import render, summary

from .support import Server, applied, load, plan

GK = ("GK Per: {RA: 52.799, Dec: 43.9047, targ: '00030842', "
      "LightCurve: {binMeth: counts, pcCounts: 20, wtCounts: 30, dynamic: true}, "
      "Spectrum: {hasRedshift: false}}\n")


def text(result: object, *, colour: bool = False, verbose: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=colour, no_color=not colour, width=200,
                      highlight=False, soft_wrap=True)
    for line in render(result, verbose=verbose):  # type: ignore[arg-type]
        console.print(line)
    return buffer.getvalue()


def test_a_create_a_replace_and_the_summary_line(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    created = plan(sources, server)
    assert text(created).splitlines() == [
        "  # GK Per: one submission (LightCurve, Spectrum)",
        "  +   LightCurve  create: not on the server yet",
        "  +   Spectrum    create: not on the server yet",
        "",
        "Plan: 2 to create, 0 to replace, 0 to rebuild, 0 to adopt; 0 unchanged.",
    ]
    lock = applied(created, server, tmp_path / "a.lock.yaml")
    edited = load(tmp_path, GK.replace("pcCounts: 20", "pcCounts: 25"))
    assert text(plan(edited, server, lock)).splitlines() == [
        "  # GK Per: one submission",
        "  -/+ LightCurve  replace job 1: parameters changed",
        "        ~ pcCounts: 20 -> 25",
        "",
        "Plan: 0 to create, 1 to replace, 0 to rebuild, 0 to adopt; 1 unchanged.",
    ]
    assert summary(plan(sources, server, lock)) == "No changes."


def test_colour_only_when_asked(tmp_path: Path) -> None:
    result = plan(load(tmp_path, GK), Server())
    assert "\x1b[" not in text(result)
    assert "\x1b[" in text(result, colour=True)


def test_foreign_and_unmanaged_jobs_have_short_sections(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    lock = applied(plan(sources, server), server, tmp_path / "a.lock.yaml")
    for job in range(2, 15):
        server.add(job, "GK Per", sources["GK Per"].request)
    server.add(20, "Elsewhere", sources["GK Per"].request)
    shown = text(plan(sources, server, lock))
    assert "Other jobs under managed names (not used, never touched):" in shown
    assert "  ... and 3 more jobs (-v lists all)" in shown
    assert "Jobs under names not in the spec (never touched): 1 job under 1 name (-v lists " \
           "them)." in shown
    assert "  Elsewhere: jobs 20" in text(plan(sources, server, lock), verbose=True)
