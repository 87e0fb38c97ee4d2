from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from ektp_routes import Gazetteer
from ektp_routes._errors import ConfigError
from ektp_routes.adjacency import DesaAdjacency, day_desa, desa_adjacency


def test_neighbours_are_the_desa_whose_polygons_touch(gaz: Gazetteer) -> None:
    adj = desa_adjacency(gaz)
    kode = "32.16.10.2005"  # Karangbahagia
    poly = gaz.polygon(kode)
    for other in adj.codes:
        if other == kode:
            continue
        gap_deg = shapely.distance(poly, gaz.polygon(other))
        touching = gap_deg * 111_320.0 < 1.0
        far = gap_deg * 111_320.0 > 50.0
        if touching:
            assert adj.adjacent(kode, other) and other in adj.neighbours(kode)
        if far:
            assert not adj.adjacent(kode, other) and other not in adj.neighbours(kode)
    assert 2 <= len(adj.neighbours(kode)) <= 12


def test_symmetric_matrix_over_any_codes_and_unknown_codes_only_to_themselves(gaz: Gazetteer) -> None:
    adj = desa_adjacency(gaz)
    a, b = sorted(adj.pairs)[0]
    far = next(c for c in adj.codes if c != a and not adj.adjacent(a, c))
    m = adj.matrix([a, b, far, "", a])
    assert np.array_equal(m, m.T)
    assert m[0, 1] and m[0, 4] and not m[0, 2]
    assert m[3, 3] and not m[3, [0, 1, 2, 4]].any()


def test_every_desa_of_the_kabupaten_has_a_neighbour_and_it_is_computed_once(gaz: Gazetteer) -> None:
    adj = desa_adjacency(gaz)
    assert len(adj.codes) == 187
    assert all(adj.neighbours(k) for k in adj.codes)
    assert desa_adjacency(gaz) is adj
    # A wider tolerance only adds pairs.
    assert adj.pairs <= desa_adjacency(gaz, tolerance_m=50.0).pairs


def test_bad_values_are_refused() -> None:
    with pytest.raises(ConfigError):
        DesaAdjacency(("a", "b"), frozenset({("b", "a")}), 5.0)
    with pytest.raises(ConfigError):
        desa_adjacency(Gazetteer.bekasi(), tolerance_m=float("nan"))


def test_day_desa_counts_moves_between_desa_that_do_not_border(gaz: Gazetteer) -> None:
    adj = desa_adjacency(gaz)
    a, b = sorted(adj.pairs)[0]
    far = next(c for c in adj.codes if not adj.adjacent(a, c))
    stops = pd.DataFrame(
        {
            "route_id": ["R2", "R1", "R1", "R1", "R2", "", None],
            "sequence": [2, 3, 1, 2, 1, 0, 0],
            "desa_kode": [far, a, a, b, a, far, far],
        }
    )
    out = day_desa(stops, adj)
    assert out.loc["R1"].tolist() == [2, 2, 0]  # a, b, a in visiting order: two crossings
    assert out.loc["R2"].tolist() == [2, 1, 1]
    assert list(out.index) == ["R1", "R2"]
