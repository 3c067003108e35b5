"""
Geography: classifying positions against the whole zone catalogue, and crossings of a long track.

* classify: 1,000,000 random positions of the North Pacific (100,000 with
  --quick) against every zone of the shipped catalogue with
  ``ZoneCatalogue.classify`` (an STRtree over the zones' prepared parts),
  beside raw ``shapely.contains_xy`` of every position against every zone's
  same prepared shape, zone by zone. Target: at least 0.5x.
* crossings: every entry and exit, with interpolated times, of a 100,000-fix
  track (10,000 with --quick) going back and forth across the Bering Sea and 180°,
  against the Alaska ADIZ and the US and Russian territorial airspace,
  beside raw ``shapely.contains_xy`` of the same fixes (no densifying, no
  crossing placed).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import shapely

from benchmarks._harness import Figure, median_seconds
from incidents import Fix, analyse_track, zone_catalogue


def run(quick: bool) -> list[Figure]:
    catalogue = zone_catalogue()
    zones = [z for z in catalogue if not z.is_line]
    rng = np.random.default_rng(17)
    n = 100_000 if quick else 1_000_000
    lon = rng.uniform(100.0, 260.0, n)
    lon = np.where(lon > 180.0, lon - 360.0, lon)
    lat = rng.uniform(15.0, 80.0, n)
    shapes = [z.area() for z in zones]
    catalogue.classify(lon[:10], lat[:10])  # build the tree once, as a user's second call finds it

    def raw() -> object:
        return [shapely.contains_xy(shape, lon, lat) for shape in shapes]

    repeat = 3
    ours = median_seconds(lambda: catalogue.classify(lon, lat), repeat=repeat)
    theirs = median_seconds(raw, repeat=repeat)
    figures = [
        Figure(
            "geography",
            f"classify {n:,} positions x {len(zones)} zones",
            n / ours,
            "positions/s",
            "shapely.contains_xy per zone",
            n / theirs,
            target=">= 0.5x",
        )
    ]

    fixes_n = 10_000 if quick else 100_000
    t0 = datetime(2024, 7, 24, tzinfo=UTC)
    # Back and forth across 180° and the ADIZ's western edge, some forty times.
    steps = np.arange(fixes_n)
    walk_lon = 175.0 + 10.0 * np.sin(steps * 80 * np.pi / fixes_n)
    walk_lat = 57.0 + 4.0 * np.sin(steps * 26 * np.pi / fixes_n)
    walk_lon = (walk_lon + 180.0) % 360.0 - 180.0
    fixes = [
        Fix(time=t0 + timedelta(seconds=10 * i), lon=float(x), lat=float(y))
        for i, (x, y) in enumerate(zip(walk_lon, walk_lat, strict=True))
    ]
    chosen = [
        catalogue[k]
        for k in ("us/alaska-adiz", "us/us-alaska-territorial", "ru/ru-far-east-territorial")
    ]
    ours = median_seconds(
        lambda: analyse_track(fixes, chosen, step_nm=2.0, approaches=False), repeat=3
    )
    theirs = median_seconds(
        lambda: [shapely.contains_xy(z.area(), walk_lon, walk_lat) for z in chosen], repeat=3
    )
    figures.append(
        Figure(
            "geography",
            f"crossings of a {fixes_n:,}-fix track x {len(chosen)} zones",
            fixes_n / ours,
            "fixes/s",
            "shapely.contains_xy of the fixes",
            fixes_n / theirs,
        )
    )
    return figures
