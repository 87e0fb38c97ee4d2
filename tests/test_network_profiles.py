from __future__ import annotations

import pytest

from ektp_routes import ConfigError
from ektp_routes.network import PROFILES, CourierProfile, get_profile


def test_speed_per_highway_class_and_forbidden_roads() -> None:
    mb = get_profile("motorbike")
    assert mb.speed_for("motorway") is None  # no motorbikes on toll roads
    assert mb.speed_for("residential") == 20
    assert mb.speed_for("not_a_class") == mb.default_kmh
    assert mb.speed_for(["residential", "tertiary"]) == 25  # merged ways: the fastest allowed class
    assert mb.speed_for(["motorway", "residential"]) == 20


def test_maxspeed_caps_the_speed() -> None:
    car = get_profile("car")
    assert car.speed_for("residential", "10") == 10
    assert car.speed_for("primary", ["20", "25"]) == 20
    assert car.speed_for("primary", "10 mph") == pytest.approx(16.09)
    assert car.speed_for("primary", "none") == 30  # unparseable: no cap
    assert car.speed_for("residential", "90") == 15  # a limit above the planning speed changes nothing


def test_profiles_by_name_and_bad_values() -> None:
    assert get_profile("walking") is PROFILES["walking"]
    custom = CourierProfile("slow", {"residential": 5}, default_kmh=4, straight_kmh=3)
    assert get_profile(custom) is custom
    with pytest.raises(ConfigError, match="unknown courier profile"):
        get_profile("helicopter")
    with pytest.raises(ConfigError, match="between 0 and 200"):
        CourierProfile("bad", {"residential": 0}, default_kmh=4, straight_kmh=3)
    with pytest.raises(TypeError):
        PROFILES["motorbike"] = custom  # type: ignore[index]


def test_canonical_form_is_ordered_plain_data() -> None:
    c = get_profile("car").canonical()
    assert c["forbidden"] == sorted(c["forbidden"])
    assert list(c["speeds_kmh"]) == sorted(c["speeds_kmh"])
    assert c["respects_oneway"] is True and c["straight_kmh"] == 18.0
