"""The generator of large specs and histories: 7 lines and 3 products a source, and a history
whose jobs ask exactly what the spec asks (so that a plan adopts them all)."""

from __future__ import annotations

from pathlib import Path

from reconciler.spec import load

from .support import bench

scale = bench("scale")


def test_the_spec_has_seven_lines_and_three_products_a_source(tmp_path: Path) -> None:
    path = scale.write_spec(tmp_path, 12)
    body = path.read_text(encoding="utf-8").split("sources:\n", 1)[1]
    assert body.count("\n") == 7 * 12
    spec = load(path)
    assert list(spec.sources) == [scale.name(i) for i in range(12)]
    for i, source in enumerate(spec.sources.values()):
        assert list(source.request.products) == list(scale.PRODUCTS)
        assert source.request == scale.request(i)  # what the history's jobs were sent
    assert len({s.request.products["LightCurve"]["binMeth"] for s in spec.sources.values()}) == 2


def test_the_history_holds_one_job_per_source_and_the_others_among_them() -> None:
    names = scale.names(20, 4)
    assert len(names) == 24 and len(set(names)) == 24
    assert sorted(n for n in names if n.startswith(scale.SOURCE_PREFIX)) == \
        [scale.name(i) for i in range(20)]
    seeds = scale.seeds(20, 4, now=1e9)
    assert [s.payload["name"] for s in seeds] == names
    assert all(s.finished for s in seeds)
    times = [s.submitted_at for s in seeds]
    assert times == sorted(times) and 1e9 - times[0] <= scale.YEAR
