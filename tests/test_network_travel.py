from __future__ import annotations

import numpy as np
import pytest

from ektp_routes.network import TravelMatrix, canonical_hash


def _matrix(t: list[list[float]], unroutable: dict[int, str] | None = None) -> TravelMatrix:
    a = np.array(t, dtype=float)
    return TravelMatrix(time_s=a, dist_m=a * 5, snap_m=np.zeros(len(a)), unroutable=unroutable or {})


def test_unreachable_needs_both_directions() -> None:
    inf = np.inf
    m = _matrix([[0, 10, inf, 5], [10, 0, 1, 1], [1, 1, 0, 1], [inf, 1, 1, 0]])
    out = m.unreachable_from(0)
    assert set(out) == {2, 3}  # 2 cannot be reached from 0, 3 cannot come back
    assert all("disconnected" in why for why in out.values())


def test_unroutable_origin_makes_everything_unreachable() -> None:
    m = _matrix([[0, 1], [1, 0]], {0: "too_far_from_road: 900 m"})
    assert m.unreachable_from(0) == {1: "origin unroutable: too_far_from_road: 900 m"}
    assert _matrix([[0, 1], [1, 0]], {1: "no coordinates"}).unreachable_from(0) == {1: "no coordinates"}


def test_canonical_hash_ignores_key_order_and_sees_every_value() -> None:
    a = np.array([1.0, 2.0])
    base = canonical_hash({"x": 1, "y": [1, 2]}, [a])
    assert base == canonical_hash({"y": [1, 2], "x": 1}, [a.copy()])
    assert base != canonical_hash({"x": 1, "y": [1, 2]}, [a + 1e-12])
    assert base != canonical_hash({"x": 1, "y": [1, 2]}, [a.reshape(2, 1)])
    # The same numbers stored as int32 or int64 hash alike (bytes are canonicalised to <i8).
    assert canonical_hash({}, [np.array([1, 2], dtype=np.int32)]) == canonical_hash({}, [np.array([1, 2])])
    with pytest.raises(TypeError):
        canonical_hash({}, [np.array(["a"])])
