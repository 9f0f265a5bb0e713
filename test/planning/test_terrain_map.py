"""The known terrain map: heights, edges, and landings kept off the edges."""
import math

import numpy as np
import pytest

from humanoid_control.errors import ConfigError
from humanoid_control.planning.terrain_map import TerrainMap

HALF_SOLE = 0.11  # [m] half the project humanoid's 0.22-m sole


def test_stairs_have_one_edge_per_riser_and_the_heights_of_their_treads():
    tm = TerrainMap.from_terrain_text("stairs:0.05:0.25:4@1")
    assert [round(e.s_m, 6) for e in tm.edges] == [1.0, 1.25, 1.5, 1.75]
    assert all(e.rise_m == pytest.approx(0.05) for e in tm.edges)
    for x, z in ((0.5, 0.0), (1.1, 0.05), (1.3, 0.10), (1.6, 0.15), (1.9, 0.2), (5.0, 0.2), (-3.0, 0.0)):
        assert tm.height_at((x, 0.7)) == pytest.approx(z)


def test_a_slope_has_heights_but_no_edges_and_a_step_down_one_falling_edge():
    slope = TerrainMap.from_terrain_text("slope:10@1")
    assert slope.edges == [] and slope.height_at((2.0, 0.0)) == pytest.approx(math.tan(math.radians(10)))
    step = TerrainMap.from_terrain_text("step:-0.05@2")
    assert len(step.edges) == 1 and step.edges[0].rise_m == pytest.approx(-0.05)


@pytest.mark.parametrize("text, words", [("rough:0.01", "rough height field"), ("stair:1", "unknown terrain"),
                                         ("stairs:0.05:0.25", "does not read")])
def test_what_is_not_a_map_is_refused_naming_the_parameter_and_the_kinds(text, words):
    with pytest.raises(ConfigError, match=words) as e:
        TerrainMap.from_terrain_text(text, source="mpc.terrain_map")
    assert str(e.value).startswith("mpc.terrain_map:") and "stairs:RISE:RUN:N" in str(e.value)


def _on_one_tread(tm, c, half=HALF_SOLE, travel=0.0):
    """Brute force: the sole [c - half, c + half] overhangs each edge from above by at most the
    overhang and keeps the clearance from each riser below it — the descent's two for an edge
    walked down (``travel`` against its rise)."""
    for e in tm.edges:
        up = math.copysign(1.0, e.rise_m)
        down = up * travel < 0.0
        overhang = tm.descent_overhang_fraction if down else tm.overhang_fraction
        clearance = tm.descent_clearance_m if down else tm.clearance_m
        lo, hi = sorted(((c - half - e.s_m) * up, (c + half - e.s_m) * up))  # the sole, upper side > 0
        if lo < -1e-9 and hi > 1e-9 and -lo > overhang * 2 * half + 1e-9:
            return False  # overhangs the edge by more than allowed
        if hi <= 1e-9 and -hi < clearance - 1e-9:
            return False  # below the edge, too close to its riser
    return True


@pytest.mark.parametrize("travel", [0.0, 0.3, -0.3], ids=["either-way", "along", "against"])
@pytest.mark.parametrize("s", np.linspace(0.6, 2.2, 81))
@pytest.mark.parametrize("terrain", ["stairs:0.05:0.25:4@1", "stairs:0.05:0.3:4@1", "stairs:-0.05:0.25:4@1",
                                     "stairs:0.05:0.4:3@1"])
def test_a_landing_is_moved_onto_one_tread_overhanging_an_edge_only_from_above(terrain, s, travel):
    tm = TerrainMap.from_terrain_text(terrain)
    assert tm.is_clear(s, HALF_SOLE, travel) is _on_one_tread(tm, s, travel=travel)
    out = tm.keep_off_edges(s, HALF_SOLE, travel)
    assert _on_one_tread(tm, out, travel=travel)
    if _on_one_tread(tm, s, travel=travel):
        assert out == s  # already on one tread: not moved
    else:
        assert abs(out - s) <= 2 * HALF_SOLE + tm.clearance_m  # moved at most a sole's length
        clear = [c for c in np.linspace(s - 0.3, s + 0.3, 601) if _on_one_tread(tm, c, travel=travel)]
        nearest = min(clear, key=lambda c: abs(c - s))
        assert abs(out - s) <= abs(nearest - s) + tm.inset_m + 1e-3  # the nearest clear place, inset
        stretch = [c for c in clear if abs(c - out) <= 0.05]
        assert min(out - min(stretch), max(stretch) - out) >= min(tm.inset_m, 0.5 * (max(stretch) - min(stretch))) - 2e-3


def test_on_25_cm_treads_a_22_cm_sole_has_a_band_of_4_cm_for_its_centre():
    """3 cm off the riser ahead, at most 20 % (4.4 cm) over the edge behind: 0.25 - 0.11 - 0.03
    - (0.11 - 0.044) = 0.044 m."""
    tm = TerrainMap.from_terrain_text("stairs:0.05:0.25:4@1")
    band = [c for c in np.linspace(1.0, 1.25, 2501) if tm.is_clear(c, HALF_SOLE)]
    assert min(band) == pytest.approx(1.066, abs=1e-3) and max(band) == pytest.approx(1.11, abs=1e-3)


@pytest.mark.parametrize("terrain, travel, toe_over", [("stairs:-0.05:0.25:4@1", 0.3, 1.16),
                                                       ("stairs:0.05:0.25:4@1", -0.3, 1.08)],
                         ids=["down-along-the-axis", "down-against-it"])
def test_walking_down_a_25_cm_tread_a_22_cm_sole_rests_wholly_on_it_in_a_band_of_3_cm(terrain, travel, toe_over):
    """No toe over the nosing ahead, up to the riser behind the heel: 0.25 - 0.22 = 0.03 m (the
    climbing rules, walked the other way, leave the band of 4.4 cm with the toe over the edge)."""
    tm = TerrainMap.from_terrain_text(terrain)
    band = [c for c in np.linspace(1.0, 1.25, 2501) if tm.is_clear(c, HALF_SOLE, travel)]
    assert min(band) == pytest.approx(1.11, abs=1e-3) and max(band) == pytest.approx(1.14, abs=1e-3)
    climbing = [c for c in np.linspace(1.0, 1.25, 2501) if tm.is_clear(c, HALF_SOLE, -travel)]
    assert max(climbing) - min(climbing) == pytest.approx(0.044, abs=1e-3)
    assert tm.is_clear(toe_over, HALF_SOLE, -travel) and not tm.is_clear(toe_over, HALF_SOLE, travel)


def test_a_sole_turned_across_the_axis_reaches_less_far_along_it():
    tm = TerrainMap.from_terrain_text("step:0.05@1")
    assert tm.half_extent(0.0, 0.22, 0.11) == pytest.approx(0.11)
    assert tm.half_extent(math.pi / 2, 0.22, 0.11) == pytest.approx(0.055)


def test_a_map_along_another_heading_measures_along_its_own_axis():
    tm = TerrainMap([(-5.0, 0.0, 0.0, 0.0), (0.0, 0.1, 5.0, 0.1)], origin=(1.0, 1.0), heading_rad=math.pi / 2)
    assert tm.along((3.0, 1.5)) == pytest.approx(0.5)
    assert tm.height_at((3.0, 1.5)) == pytest.approx(0.1) and tm.height_at((3.0, 0.5)) == pytest.approx(0.0)
    assert [e.s_m for e in tm.edges_between(-1.0, 1.0)] == [0.0] and tm.edges_between(0.1, 1.0) == []


def test_overlapping_pieces_are_refused():
    with pytest.raises(ConfigError, match="overlap"):
        TerrainMap([(0.0, 0.0, 1.0, 0.0), (0.5, 0.1, 2.0, 0.1)])
