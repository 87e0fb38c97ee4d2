"""``--help`` speaks the user's language: Bahasa Indonesia by default, English with ``--lang en``."""

from __future__ import annotations

import argparse
import inspect
from collections.abc import Iterator

import pytest

from ektp_routes.cli import build_parser, main
from ektp_routes.cli_help import ARGPARSE_MESSAGES, argparse_text
from ektp_routes.i18n import LANGUAGES, Messages, messages

#: Every command, and a phrase of its --help in each language (as a planner reads it, whitespace
#: folded: argparse wraps lines).
COMMANDS: dict[tuple[str, ...], dict[str, str]] = {
    (): {"id": "pengantaran kartu e-KTP dari pintu ke pintu", "en": "door-to-door delivery of e-KTP"},
    ("demo-cards",): {"id": "daftar kartu sintetis (bukan orang sungguhan)", "en": "synthetic card list"},
    ("validate",): {"id": "kode pos milik desa/kelurahan lain", "en": "another desa's kode pos"},
    ("geocode",): {"id": "untuk mencocokkan nama jalan", "en": "for street matching"},
    ("plan",): {"id": "rencanakan rute pengantaran", "en": "plan delivery routes for a card list"},
    ("demo",): {"id": "bawaan Karang Bahagia", "en": "default Karang Bahagia"},
    ("ops",): {"id": "jalankan operasi pengantaran", "en": "run the delivery operation"},
    ("ops", "start"): {"id": "hanya pada kiriman kartu pertama", "en": "(first batch only)"},
    ("ops", "dispatch"): {"id": "tulis manifes kurir", "en": "write manifests"},
    ("ops", "record"): {"id": "CSV perangkat genggam", "en": "handheld CSV"},
    ("ops", "returns"): {
        "id": "daftar pengembalian kartu per kecamatan",
        "en": "returns lists per kecamatan",
    },
    ("ops", "status"): {"id": "grafik burn-down PNG per kantor pos", "en": "burn-down PNG per office"},
    ("fleet",): {"id": "jumlah kurir per kantor pos", "en": "couriers per office"},
    ("blocks",): {"id": "untuk ditandai titiknya di QGIS", "en": "for pinning in QGIS"},
    ("network",): {"id": "siapkan jaringan jalan", "en": "prepare road networks"},
    ("network", "build"): {"id": "bangun graf jalan kurir", "en": "build the courier graph"},
}
HEADINGS = {
    "id": ("penggunaan: ektp-routes", "opsi:", "tampilkan bantuan ini lalu keluar"),
    "en": ("usage: ektp-routes", "options:", "show this help message and exit"),
}


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """``parser`` and every command's parser under it."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in dict.fromkeys(action.choices.values()):
                yield from _parsers(command)


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    assert info.value.code == 0 and not err, err
    return " ".join(out.split())


def test_every_command_is_listed_here() -> None:
    listed = {tuple(p.prog.split()[1:]) for p in _parsers(build_parser())}
    assert listed == set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "main")
def test_help_is_indonesian_by_default_and_english_with_lang_en(
    command: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    default = _help([*command, "--help"], capsys)
    assert COMMANDS[command]["id"] in default
    assert all(h in default for h in HEADINGS["id"]), default
    assert COMMANDS[command]["en"] not in default
    # --lang before the command and after it (or -h) give the same English help
    before = _help(["--lang", "en", *command, "--help"], capsys)
    after = _help([*command, "-h", "--lang=en"], capsys)
    assert before == after
    assert COMMANDS[command]["en"] in before and COMMANDS[command]["id"] not in before
    assert all(h in before for h in HEADINGS["en"]), before
    assert _help(["--lang", "id", *command, "--help"], capsys) == default


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_command_and_option_is_worded_in_the_language(lang: str) -> None:
    # No half-translated command: every option's text differs between the two languages.
    other = next(x for x in LANGUAGES if x != lang)
    for mine, theirs in zip(
        _parsers(build_parser(lang=lang)), _parsers(build_parser(lang=other)), strict=True
    ):
        assert mine.prog == theirs.prog
        assert mine.description != theirs.description, mine.prog
        mine.format_help()  # renders (argparse expands % in help texts) and does not raise
        for a, b in zip(_worded(mine), _worded(theirs), strict=True):
            assert a.option_strings == b.option_strings and a.dest == b.dest
            assert a.help and a.help != b.help, (mine.prog, a.dest, a.help)


def _worded(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    """The options of ``parser`` and, for its commands, their lines in its command list."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action._choices_actions
        else:
            yield action


def test_every_message_the_parser_uses_exists_in_both_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    used: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
    call = Messages.__call__

    def spy(self: Messages, key: str, /, **values: object) -> str:
        used[self.lang].add(key)
        return call(self, key, **values)

    monkeypatch.setattr(Messages, "__call__", spy)
    for lang in LANGUAGES:
        build_parser(lang=lang)
    assert used["id"] == used["en"] and len(used["id"]) > 80
    for lang in LANGUAGES:
        missing = sorted(k for k in used["id"] if k not in messages(lang).catalogue)
        assert not missing, (lang, missing)


def test_a_missing_help_text_stops_the_parser_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue = dict(messages("en").catalogue)
    del catalogue["help.ops.dispatch.date"]
    monkeypatch.setattr("ektp_routes.cli_ops.messages", lambda lang: Messages(lang, catalogue))
    with pytest.raises(KeyError, match=r"help\.ops\.dispatch\.date"):
        build_parser(lang="en")


@pytest.mark.parametrize(
    "argv",
    [
        ["plan", "cards.csv", "--consolidation", "rt", "--workers", "2", "--start-date", "2026-03-02"],
        ["demo-cards", "--out", "x.csv"],
        ["validate", "c.csv", "--nik-region", "reject"],
        ["ops", "dispatch", "--ledger", "l.db", "--date", "2026-03-02", "--out", "d"],
        ["ops", "status", "--ledger", "l.db"],
        ["fleet", "c.csv", "--couriers", "3", "--start-date", "2026-03-02"],
        ["network", "build", "--osm", "x.osm", "--out", "n"],
        ["blocks", "c.csv", "--out", "b.gpkg"],
    ],
)
def test_options_and_defaults_are_the_same_in_both_languages(argv: list[str]) -> None:
    parsed = {lang: vars(build_parser(lang=lang).parse_args(argv)) for lang in LANGUAGES}
    assert parsed["id"] == parsed["en"]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (
            ["plan", "x.csv", "--bogus"],
            {"id": "argumen tidak dikenal: --bogus", "en": "unrecognized arguments: --bogus"},
        ),
        (
            ["plan", "x.csv", "--consolidation", "street"],
            {
                "id": "argumen --consolidation: pilihan tidak sah: 'street' (pilih salah satu dari 'auto',",
                "en": "argument --consolidation: invalid choice: 'street' (choose from 'auto',",
            },
        ),
        (
            ["validate"],
            {"id": "argumen berikut wajib diisi: KARTU", "en": "the following arguments are required: cards"},
        ),
        (
            ["ops"],
            {
                "id": "argumen berikut wajib diisi: PERINTAH",
                "en": "the following arguments are required: COMMAND",
            },
        ),
        (
            ["ops", "record", "--ledger", "l.db"],
            {
                "id": "argumen berikut wajib diisi: HASIL",
                "en": "the following arguments are required: outcomes",
            },
        ),
        (
            ["bogus"],
            {
                "id": "argumen PERINTAH: pilihan tidak sah: 'bogus' (pilih salah satu dari 'demo-cards',",
                "en": "argument COMMAND: invalid choice: 'bogus' (choose from 'demo-cards',",
            },
        ),
        (
            ["plan", "x.csv", "--s", "1"],
            {
                "id": "opsi ambigu: --s bisa berarti --sheet, --straight-line, --strict-roads,",
                "en": "ambiguous option: --s could match --sheet, --straight-line, --strict-roads,",
            },
        ),
        (
            ["plan", "x.csv", "--download=yes"],
            {
                "id": "argumen --download: opsi ini tidak menerima nilai; 'yes' tidak dipakai",
                "en": "argument --download: ignored explicit argument 'yes'",
            },
        ),
        (
            ["fleet", "c.csv", "--couriers", "2", "--first-attempt-failure", "x"],
            {
                "id": "argumen --first-attempt-failure: nilai float tidak sah: 'x'",
                "en": "argument --first-attempt-failure: invalid float value: 'x'",
            },
        ),
        (
            ["plan", "x.csv", "--out"],
            {"id": "argumen --out: harus diikuti satu nilai", "en": "argument --out: expected one argument"},
        ),
        (
            ["fleet", "c.csv"],
            {
                "id": "salah satu dari argumen --finish-by --couriers wajib diisi",
                "en": "one of the arguments --finish-by --couriers is required",
            },
        ),
        (
            ["plan", "x.csv", "--download", "--straight-line"],
            {
                "id": "argumen --straight-line: tidak boleh dipakai bersama argumen --download",
                "en": "argument --straight-line: not allowed with argument --download",
            },
        ),
        (
            ["plan", "x.csv", "--workers", "abc"],
            {
                "id": "argumen --workers: nilai int tidak sah: 'abc'",
                "en": "argument --workers: invalid int value: 'abc'",
            },
        ),
        (
            ["network", "build", "--osm", "x.osm", "--out", "n", "--margin-m", "abc"],
            {
                "id": "argumen --margin-m: 'abc' bukan angka",
                "en": "argument --margin-m: 'abc' is not a number",
            },
        ),
        (
            ["network", "build", "--osm", "x.osm", "--out", "n", "--max-snap-m", "0"],
            {"id": "0 di luar rentang 1 sampai 5000 meter", "en": "0 is outside 1 to 5000 metres"},
        ),
    ],
)
def test_usage_errors_are_one_line_in_the_language(
    argv: list[str], words: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    for lang, start in (("id", "galat: "), ("en", "error: ")):
        with pytest.raises(SystemExit) as info:
            main([*argv, "--lang", lang] if lang == "en" else argv)
        err = capsys.readouterr().err
        assert info.value.code == 2 and len(err.strip().splitlines()) == 1, err
        assert err.startswith(start) and words[lang] in err, err
        assert err.rstrip().endswith("(lihat --help)" if lang == "id" else "(see --help)"), err


def test_a_nik_typed_as_an_argument_is_masked_in_the_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["plan", "x.csv", "3216061201900001"])
    err = capsys.readouterr().err
    assert "argumen tidak dikenal: 321606******0001" in err and "3216061201900001" not in err, err


def test_argparse_words_are_this_pythons() -> None:
    # argparse's message ids are matched by their English text: a Python whose argparse words one
    # differently leaves that error in English; this says which.
    source = inspect.getsource(argparse)
    stale = [msgid for msgid in ARGPARSE_MESSAGES if f"_({msgid!r})" not in source]
    assert not stale, stale


def test_an_argparse_message_not_in_the_table_stays_as_argparse_wrote_it() -> None:
    t = messages("id")
    assert argparse_text("unexpected option string: --s", t) == "unexpected option string: --s"
    assert argparse_text("argument --n: 'x' is not a number", t) == "argumen --n: 'x' is not a number"


def test_an_option_with_a_list_of_values_is_worded_in_the_language() -> None:
    # no option takes a list today; argparse's words for one are in the table all the same
    t = messages("id")
    assert argparse_text("argument --x: expected at least one argument", t) == (
        "argumen --x: harus diikuti sedikitnya satu nilai"
    )
    assert argparse_text("argument --x: expected at most one argument", t) == (
        "argumen --x: paling banyak diikuti satu nilai"
    )


def test_every_placeholder_of_a_usage_line_is_worded_in_the_language() -> None:
    usage = {
        lang: " ".join(p.format_usage() for p in _parsers(build_parser(lang=lang))) for lang in LANGUAGES
    }
    assert all(
        w in usage["id"] for w in ("--offices KANTOR", "--start-date TANGGAL_MULAI", "KARTU", "PERINTAH")
    )
    assert all(w in usage["en"] for w in ("--offices OFFICES", "--start-date START_DATE", "cards", "COMMAND"))
    # English keeps argparse's own placeholders (made from the option's name); Indonesian has its own
    # words but for those that are the same in both languages
    same = {"LEDGER", "KECAMATAN", "OSM", "CACHE", "PBF", "N"}
    for mine, theirs in zip(
        _parsers(build_parser(lang="id")), _parsers(build_parser(lang="en")), strict=True
    ):
        for a, b in zip(mine._actions, theirs._actions, strict=True):
            if isinstance(b, argparse._SubParsersAction) or b.metavar is None or b.metavar == "N":
                continue
            assert b.metavar == (b.dest.upper() if b.option_strings else b.dest), (theirs.prog, b.dest)
            assert a.metavar != b.metavar or a.metavar in same, (mine.prog, a.dest)
