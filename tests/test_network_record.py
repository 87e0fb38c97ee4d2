"""What a plan records of its travel network, and the network loaded back from that record."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ektp_routes._errors import InputFileError
from ektp_routes.network import CourierProfile, NetworkRecord, RoadNetwork, StraightLineNetwork
from ektp_routes.network.store import save_network


def test_straight_lines_come_back_with_their_profile_and_circuity() -> None:
    net = StraightLineNetwork(profile="bicycle", circuity=1.3)
    rec = NetworkRecord.of(net)
    assert (rec.kind, rec.profile, rec.circuity, rec.source) == ("straight", "bicycle", 1.3, "")
    lon, lat = [107.10, 107.12, 107.15], [-6.20, -6.22, -6.25]
    np.testing.assert_array_equal(rec.load().matrix(lon, lat).time_s, net.matrix(lon, lat).time_s)


def test_a_road_network_comes_back_from_its_folder_with_its_snapping_rules(
    kg: RoadNetwork, tmp_path: Path
) -> None:
    save_network(kg.graph, tmp_path / "net", max_snap_m=250.0)
    net = RoadNetwork.from_file(tmp_path / "net", strict=True)
    rec = NetworkRecord.of(net)
    assert rec.source == str((tmp_path / "net").resolve()) and (rec.max_snap_m, rec.strict) == (250.0, True)
    again = rec.load()
    assert isinstance(again, RoadNetwork) and again.strict and again.fingerprint() == net.fingerprint()


def test_networks_that_cannot_be_loaded_again_ask_for_network(kg: RoadNetwork) -> None:
    in_memory = RoadNetwork.from_road_graph(kg.graph)  # read from no file
    with pytest.raises(InputFileError, match="not read from a file: pass network="):
        NetworkRecord.of(in_memory).load()
    own = CourierProfile("kano", {"residential": 12.0}, 12.0, 11.0)  # a profile not known by name
    with pytest.raises(InputFileError, match="pass network="):
        NetworkRecord.of(StraightLineNetwork(profile=own)).load()
    moved = NetworkRecord("road", "f" * 64, source="/nonexistent/net")
    with pytest.raises(InputFileError, match="no longer exists: pass network=") as info:
        moved.load()
    assert "\n" not in str(info.value)
