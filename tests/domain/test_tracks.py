from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents import (
    Fix,
    InvalidInputError,
    analyse_track,
    destination,
    distance_nm,
    zone_catalogue,
)
from incidents._domain.geodesy import normalize_lon

T0 = datetime(2019, 7, 23, 0, 0, tzinfo=UTC)
DOKDO = (131.8667, 37.2417)


def track(*points: tuple[float, float], minutes: float = 30) -> list[Fix]:
    return [
        Fix(time=T0 + timedelta(minutes=minutes * i), lon=lon, lat=lat)
        for i, (lon, lat) in enumerate(points)
    ]


def test_a_pass_through_dokdo_airspace_is_timed_along_the_geodesic() -> None:
    catalogue = zone_catalogue()
    territorial = catalogue["kr/kr-dokdo-territorial"]
    # South to north, 5 NM east of Dokdo, 120 NM in 30 minutes (240 knots).
    start = destination(destination(DOKDO, 180, 60), 90, 5)
    end = destination(destination(DOKDO, 0, 60), 90, 5)
    result = analyse_track(track(start, end), [territorial])
    entry, exit_ = result.crossings
    assert (entry.entering, exit_.entering) == (True, False)
    # Both crossings lie on the edge, 12 NM (the buffer, round a point) from Dokdo.
    for crossing in (entry, exit_):
        assert territorial.distance_nm(crossing.lon, crossing.lat) == pytest.approx(0, abs=0.01)
        assert distance_nm(DOKDO, (crossing.lon, crossing.lat)) == pytest.approx(12.05, abs=0.1)
    # The time is where the crossing lies along the leg, at constant speed.
    along = distance_nm(start, (entry.lon, entry.lat))
    assert (entry.at - T0).total_seconds() == pytest.approx(along / 120 * 1800, abs=1)
    (visit,) = result.visits
    assert visit.duration == exit_.at - entry.at
    assert result.time_inside(territorial.key) == visit.duration
    # About 2 x sqrt(12^2 - 5^2) = 21.8 NM inside, at 240 knots: about 5.5 minutes.
    assert visit.duration.total_seconds() == pytest.approx(21.8 / 240 * 3600, rel=0.02)
    assert result.approaches[territorial.key].distance_nm == 0


def test_closest_approach_outside() -> None:
    territorial = zone_catalogue()["kr/kr-dokdo-territorial"]
    start = destination(destination(DOKDO, 180, 60), 90, 20)
    end = destination(destination(DOKDO, 0, 60), 90, 20)
    result = analyse_track(track(start, end), [territorial])
    assert result.crossings == ()
    approach = result.approaches[territorial.key]
    assert approach.distance_nm == pytest.approx(20 - 12.05, abs=0.2)
    assert approach.at == pytest.approx(T0 + timedelta(minutes=15), abs=timedelta(minutes=1))
    assert approach.certainly_outside  # by more than the line's stated error, 0.5 NM


def test_a_track_across_180_enters_the_alaska_adiz_the_short_way() -> None:
    adiz = zone_catalogue()["us/alaska-adiz"]
    result = analyse_track(track((174.0, 58.5), (-177.0, 56.25), minutes=60), [adiz])
    assert round(result.length_nm, 1) == 321.8
    (entry,) = result.crossings
    assert entry.entering
    assert 174.0 <= entry.lon <= 180.0 or -180.0 <= entry.lon <= -177.0
    (visit,) = result.visits
    assert visit.exited_at is None
    assert visit.duration == T0 + timedelta(minutes=60) - entry.at


def test_a_zone_counts_only_while_in_force() -> None:
    catalogue = zone_catalogue()
    ieodo_pass = [(124.8, 31.8), (125.6, 32.4)]
    before = [
        Fix(time=datetime(2013, 12, 14, tzinfo=UTC) + timedelta(minutes=i * 20), lon=lon, lat=lat)
        for i, (lon, lat) in enumerate(ieodo_pass)
    ]
    after = [
        Fix(time=datetime(2013, 12, 16, tzinfo=UTC) + timedelta(minutes=i * 20), lon=lon, lat=lat)
        for i, (lon, lat) in enumerate(ieodo_pass)
    ]
    new = catalogue["kr/kadiz-2013"]
    assert not analyse_track(before, [new]).entered(new.key)
    assert analyse_track(after, [new]).entered(new.key)


def test_bad_tracks_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="two fixes"):
        analyse_track(track((0, 0)), [])
    backwards = list(reversed(track((0, 0), (1, 1))))
    with pytest.raises(InvalidInputError, match="time order"):
        analyse_track(backwards, [])


@given(
    st.floats(min_value=-30, max_value=30),
    st.floats(min_value=45, max_value=64),
    st.floats(min_value=0, max_value=359),
    st.floats(min_value=50, max_value=600),
)
def test_crossings_alternate_and_lie_on_the_edge(
    offset: float, lat: float, course: float, nm: float
) -> None:
    adiz = zone_catalogue()["us/alaska-adiz"]
    start = (float(normalize_lon(180.0 + offset)), lat)
    end = destination(start, course, nm)
    result = analyse_track(track(start, end), [adiz], approaches=False)
    kinds = [c.entering for c in result.crossings]
    assert all(a != b for a, b in itertools.pairwise(kinds))
    times = [c.at for c in result.crossings]
    assert times == sorted(times)
    for crossing in result.crossings:
        assert adiz.distance_nm(crossing.lon, crossing.lat) < 0.05
    total = sum((v.duration for v in result.visits), timedelta())
    assert timedelta(0) <= total <= timedelta(minutes=30)
