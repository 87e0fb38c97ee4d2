"""PlanConfig: one typed, validated loader for plan.toml, the CLI and the library."""

from __future__ import annotations

from pathlib import Path

import pytest

from ektp_routes import ConfigError, Gazetteer
from ektp_routes.config import OPTIONS, PlanConfig, Scope, ServiceTimes, kecamatan_codes
from ektp_routes.solve import Fleet, SolveParams

FULL = """
[run]
workers = 2
[fleet]
couriers = 4
capacity = 120
shift_s = 21600
days = 10
[solve]
time_limit_s = 12.5
seed = 7
deterministic = false
engine = "ortools"
objective = "distance"
balance = 0.5
workers = 2
[service]
base_s = 30
per_card_s = 20
[scope]
kecamatan = ["Karang Bahagia"]
consolidation = "rt"
"""


def test_toml_reaches_every_part(tmp_path: Path) -> None:
    p = tmp_path / "plan.toml"
    p.write_text(FULL)
    cfg = PlanConfig.from_toml(p)
    assert cfg.workers == 2
    assert cfg.fleet == Fleet(couriers=4, capacity=120, shift_s=21600, days=10)
    assert cfg.solve == SolveParams(
        time_limit_s=12.5,
        seed=7,
        deterministic=False,
        engine="ortools",
        objective="distance",
        balance=0.5,
        workers=2,
    )
    assert cfg.service == ServiceTimes(base_s=30.0, per_card_s=20.0)
    assert cfg.scope == Scope(kecamatan=("Karang Bahagia",), consolidation="rt")


def test_defaults_and_partial_files(tmp_path: Path) -> None:
    p = tmp_path / "plan.toml"
    p.write_text("[fleet]\ncouriers = 3\n")
    cfg = PlanConfig.from_toml(p)
    assert cfg.fleet.couriers == 3 and cfg.fleet.days == 20 and cfg.fleet.capacity == 150
    assert cfg.solve.deterministic and cfg.solve.time_limit_s == 30.0


def test_with_options_uses_flat_names() -> None:
    cfg = PlanConfig(workers=1).with_options(
        time_limit_s=2, couriers=2, consolidation="rw", service_base_s=10
    )
    assert (cfg.solve.time_limit_s, cfg.fleet.couriers, cfg.scope.consolidation) == (2.0, 2, "rw")
    assert cfg.service.base_s == 10.0 and cfg.workers == 1
    with pytest.raises(ConfigError, match="unknown option 'colour'"):
        PlanConfig().with_options(colour=1)


BAD_TOML = [
    (
        "[fleet]\ncapacity = 2.5\n",
        "[fleet] capacity = 2.5: must be a whole number; allowed: an integer from 1",
    ),
    ("[fleet]\ncapacity = 0\n", "[fleet] capacity = 0: out of range"),
    ("[fleet]\ndays = 0\n", "[fleet] days = 0: out of range; allowed: an integer from 1 to 366"),
    ('[fleet]\ncouriers = "5"\n', "[fleet] couriers = '5': must be a number"),
    ('[solve]\ndeterministic = "no"\n', "[solve] deterministic = 'no': must be true or false"),
    ("[solve]\nseed = 1.5\n", "[solve] seed = 1.5: must be a whole number"),
    ("[solve]\nseed = -1\n", "[solve] seed = -1: out of range"),
    ("[solve]\ntime_limit_s = inf\n", "[solve] time_limit_s = inf: must be a finite number"),
    ("[solve]\ntime_limit_s = 1e300\n", "[solve] time_limit_s = 1e+300: out of range"),
    (
        '[solve]\nengine = "gurobi"\n',
        "[solve] engine = 'gurobi': not one of the choices; allowed: auto, ortools",
    ),
    ("[solve]\nfirst_solution = 'X'\n", "[solve]: unknown key 'first_solution'"),
    ("[scope]\nkecamatan = 5\n", "[scope] kecamatan = 5: must be a list of names"),
    ('[scope]\nconsolidation = "house"\n', "[scope] consolidation = 'house': not one of the choices"),
    ("[service]\nbase_s = -1\n", "[service] base_s = -1: out of range"),
    ("[run]\nworkers = 0\n", "[run] workers = 0: out of range"),
    ("[plan]\nbogus = 5\n", "[plan]: unknown key 'bogus'"),
    ("plan = 5\n", "plan must be a table"),
    ("[operation]\nx = 1\n", "unknown table [operation]"),
    ("fleet = 5\n", "fleet must be a table"),
    ("[fleet\n", "is not valid TOML"),
]


@pytest.mark.parametrize(("text", "message"), BAD_TOML)
def test_bad_toml_values_give_one_line_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    p = tmp_path / "plan.toml"
    p.write_text(text)
    with pytest.raises(ConfigError) as err:
        PlanConfig.from_toml(p)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_flat_plan_table_and_tables_of_other_readers(tmp_path: Path) -> None:
    p = tmp_path / "plan.toml"
    p.write_text(
        "[plan]\ncouriers = 2\ntime_limit_s = 5\nservice_base_s = 10\n[operation]\nattempt_limit = 2\n"
    )
    cfg = PlanConfig.from_toml(p, other_tables=("operation",))
    assert (cfg.fleet.couriers, cfg.solve.time_limit_s, cfg.service.base_s) == (2, 5.0, 10.0)


def test_missing_or_directory_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        PlanConfig.from_toml(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="is a directory"):
        PlanConfig.from_toml(tmp_path)


def test_every_option_has_a_range_or_choices() -> None:
    for opt in OPTIONS.values():
        assert opt.allowed
        if opt.kind in (int, float):
            assert opt.lo is not None and opt.hi is not None and opt.lo <= opt.hi
        if opt.kind is str:
            assert opt.choices


def test_kecamatan_listed_with_commas_in_one_entry(gaz: Gazetteer) -> None:
    one = kecamatan_codes(gaz, ["Setu, Cibarusah,"])
    assert one == kecamatan_codes(gaz, ["Setu", "Cibarusah"])
    assert len(one) == 2
    with pytest.raises(ConfigError):
        kecamatan_codes(gaz, [" , "])  # names nothing: refused, never read as "the whole kabupaten"


def test_kecamatan_resolved_once_by_name_or_code(gaz: Gazetteer) -> None:
    code = gaz.resolve_kecamatan("Karang Bahagia").kecamatan.kode
    assert kecamatan_codes(gaz, ["Kec. Karang Bahagia", code]) == (code,)
    with pytest.raises(ConfigError, match="kecamatan 'Atlantis'"):
        kecamatan_codes(gaz, ["Atlantis"])


@pytest.mark.parametrize(
    ("text", "indonesian", "english"),
    [
        (
            "[fleet]\ncapacity = 0\n",
            "plan.toml [fleet] capacity = 0: di luar rentang; "
            "yang boleh: bilangan bulat dari 1 sampai 100000 kartu",
            "plan.toml [fleet] capacity = 0: out of range; allowed: an integer from 1 to 100000 cards",
        ),
        (
            '[solve]\nengine = "gurobi"\n',
            "plan.toml [solve] engine = 'gurobi': bukan salah satu pilihan; yang boleh: auto, ortools, pyvrp",
            "plan.toml [solve] engine = 'gurobi': not one of the choices; allowed: auto, ortools, pyvrp",
        ),
        (
            "[service]\nper_card_s = 4000.5\n",
            "plan.toml [service] per_card_s = 4000.5: di luar rentang; "
            "yang boleh: angka dari 0 sampai 3600 detik",
            "plan.toml [service] per_card_s = 4000.5: out of range; allowed: a number from 0 to 3600 seconds",
        ),
        (
            "[solve]\nday_cost_s = true\n",
            "plan.toml [solve] day_cost_s = True: harus berupa angka; "
            "yang boleh: angka dari 0 sampai 1000000 detik",
            "plan.toml [solve] day_cost_s = True: must be a number; "
            "allowed: a number from 0 to 1000000 seconds",
        ),
    ],
)
def test_a_bad_value_is_worded_in_the_users_language(
    tmp_path: Path, text: str, indonesian: str, english: str
) -> None:
    from ektp_routes.i18n import error_text, messages

    p = tmp_path / "plan.toml"
    p.write_text(text)
    with pytest.raises(ConfigError) as err:
        PlanConfig.from_toml(p)
    assert str(err.value) == english
    assert error_text(err.value, messages("en")) == english
    assert error_text(err.value, messages("id")) == indonesian


def test_the_checks_of_the_parts_are_the_options_ranges() -> None:
    # ServiceTimes, Scope and PlanConfig refuse what the same option of plan.toml refuses, in the same words.
    with pytest.raises(
        ConfigError, match=r"^service base_s = -1: out of range; allowed: a number from 0 to 3600"
    ):
        ServiceTimes(base_s=-1)
    with pytest.raises(
        ConfigError, match=r"^consolidation = 'house': not one of the choices; allowed: auto, "
    ):
        Scope(consolidation="house")  # type: ignore[arg-type]
    with pytest.raises(
        ConfigError, match=r"^workers = True: must be a number; allowed: an integer from 1 to 256"
    ):
        PlanConfig(workers=True)
    assert ServiceTimes(base_s=0, per_card_s=3600).per_card_s == 3600


def test_an_unknown_kecamatan_is_refused_in_the_users_language(gaz: Gazetteer) -> None:
    from ektp_routes.i18n import error_text, messages

    with pytest.raises(ConfigError) as err:
        kecamatan_codes(gaz, ["Atlantis"])
    assert error_text(err.value, messages("id")).startswith(
        "kecamatan 'Atlantis': 'Atlantis' tidak cocok dengan nama mana pun yang dikenal; yang paling mirip: "
    )
    assert str(err.value).startswith("kecamatan 'Atlantis': 'Atlantis' matches no known name; closest: ")
    # ... and names every kecamatan there is, so the user can pick the spelling
    every = ", ".join(sorted(k.nama for k in gaz.all_kecamatan))
    assert str(err.value).endswith("; known kecamatan: " + every)
    assert "kecamatan yang dikenal: Babelan, Bojongmangu, " in error_text(err.value, messages("id"))


def test_a_plan_toml_saved_with_a_byte_order_mark_or_not_as_utf8(tmp_path: Path) -> None:
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf[fleet]\r\ncouriers = 3\r\n")  # Windows Notepad's UTF-8
    assert PlanConfig.from_toml(bom).fleet.couriers == 3
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'[scope]\nkecamatan = ["Cibarusah \xe9"]\n')
    with pytest.raises(ConfigError, match=r"^config file .*latin.toml cannot be read: UnicodeDecodeError$"):
        PlanConfig.from_toml(latin)
