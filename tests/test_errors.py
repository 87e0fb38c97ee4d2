"""_errors: every exception of the library crosses a process (pickle, as process pools and Dask do)
with its type, its English message and what words it in the user's language."""

from __future__ import annotations

import inspect
import pickle
from pathlib import Path
from types import MappingProxyType

import pytest

import ektp_routes._errors as errors_module
from ektp_routes._errors import ConfigError, EktpRoutesError, InputFileError, NetworkError
from ektp_routes.i18n import error, error_text, messages, phrase

#: Every exception class of _errors.py (a new one is tested without being listed here).
CLASSES = sorted(
    (c for _, c in inspect.getmembers(errors_module, inspect.isclass) if issubclass(c, EktpRoutesError)),
    key=lambda c: c.__name__,
)


def _round_trip(exc: BaseException) -> BaseException:
    return pickle.loads(pickle.dumps(exc))


def test_every_exception_class_is_listed() -> None:
    assert {c.__name__ for c in CLASSES} >= {
        "EktpRoutesError", "InputFileError", "MissingColumnError", "RegionError", "NetworkError",
        "GeocodingError", "SolverError", "ConfigError", "OutputError", "LedgerError",
    }  # fmt: skip


@pytest.mark.parametrize("kind", CLASSES, ids=lambda c: c.__name__)
def test_a_worded_exception_survives_pickle(kind: type[EktpRoutesError]) -> None:
    # A message of the catalogue with a part worded later (phrase) and a path: as i18n.error builds them.
    exc = error(kind, "error.office_id", value="'x y'", rule=phrase("office.id_rule"))
    back = _round_trip(exc)
    assert type(back) is kind and str(back) == str(exc)
    assert str(back).startswith("office_id 'x y': allowed 1 to 40 letters")
    assert back.key == "error.office_id" and isinstance(back.values, MappingProxyType)
    assert error_text(back, messages("id")) == error_text(exc, messages("id"))
    assert error_text(back, messages("id")).startswith("office_id 'x y': yang boleh 1 sampai 40 huruf")


@pytest.mark.parametrize("kind", CLASSES, ids=lambda c: c.__name__)
def test_a_plain_exception_survives_pickle(kind: type[EktpRoutesError]) -> None:
    back = _round_trip(kind("plain English text"))
    assert type(back) is kind and str(back) == "plain English text" and back.key == ""
    assert error_text(back, messages("id")) == "plain English text"


def test_the_contraction_budget_error_survives_pickle() -> None:
    from ektp_routes.network.contraction import ContractionGaveUp

    back = _round_trip(ContractionGaveUp("gave up after 10 s"))
    assert (
        type(back) is ContractionGaveUp
        and isinstance(back, NetworkError)
        and str(back) == "gave up after 10 s"
    )


class _Unpicklable(Exception):
    def __init__(self, a: int, b: int) -> None:  # pickle calls it again with args=(text,): fails
        super().__init__(f"{a} {b}")


def test_a_value_that_would_not_unpickle_travels_as_its_text() -> None:
    # osmnx's or a parser's own exception inside our sentence: its text is what the message shows.
    exc = error(NetworkError, "error.network_unbuildable", name="jalan.osm", why=_Unpicklable(1, 2))
    back = _round_trip(exc)
    assert str(back) == "cannot build a road network from jalan.osm: 1 2"
    assert error_text(back, messages("id")) == "jaringan jalan tidak dapat dibangun dari jalan.osm: 1 2"


def test_the_library_s_own_refusals_survive_pickle(tmp_path: Path) -> None:
    """Refusals whose parts are worded later by a bound method or a nested refusal (a bad plan.toml
    value, an offices row), as a worker process would raise them."""
    from ektp_routes.config import PlanConfig
    from ektp_routes.offices import read_offices
    from ektp_routes.problem import Fleet

    (tmp_path / "plan.toml").write_text("[fleet]\ncapacity = 0\n")
    (tmp_path / "kantor.csv").write_text("name,lon,lat,desa\nKP A,107.08,-6.43,Desa Antah Berantah\n")
    raised = []
    for call in (
        lambda: PlanConfig.from_toml(tmp_path / "plan.toml"),
        lambda: read_offices(tmp_path / "kantor.csv", Fleet()),
    ):
        with pytest.raises((ConfigError, InputFileError)) as info:
            call()
        raised.append(info.value)
    for exc in raised:
        back = _round_trip(exc)
        assert type(back) is type(exc) and str(back) == str(exc)
        for lang in ("id", "en"):
            assert error_text(back, messages(lang)) == error_text(exc, messages(lang))
    assert "yang boleh: bilangan bulat dari 1 sampai 100000 kartu" in error_text(raised[0], messages("id"))
    assert "tidak cocok dengan nama mana pun" in error_text(_round_trip(raised[1]), messages("id"))


def test_a_part_that_will_not_pickle_leaves_the_english_message() -> None:
    exc = error(
        ConfigError, "error.config_kecamatan", name="'X'", why=lambda t: "no such kecamatan", known="Y"
    )
    back = _round_trip(exc)
    said = "kecamatan 'X': no such kecamatan; known kecamatan: Y"
    assert type(back) is ConfigError and str(back) == said
    assert back.key == "" and error_text(back, messages("id")) == said


def _plan_toml_in_a_worker(path: str) -> None:
    from ektp_routes.config import PlanConfig

    PlanConfig.from_toml(path)


def test_a_refusal_in_a_worker_process_reaches_the_caller_worded(tmp_path: Path) -> None:
    from concurrent.futures import ProcessPoolExecutor

    (tmp_path / "plan.toml").write_text("[solve]\nengine = 'gurobi'\n")
    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_plan_toml_in_a_worker, str(tmp_path / "plan.toml"))
        with pytest.raises(ConfigError) as info:
            future.result(timeout=120)
    assert str(info.value).endswith(
        "[solve] engine = 'gurobi': not one of the choices; allowed: auto, ortools, pyvrp"
    )
    assert error_text(info.value, messages("id")).endswith(
        "[solve] engine = 'gurobi': bukan salah satu pilihan; yang boleh: auto, ortools, pyvrp"
    )
