from __future__ import annotations

import json
from importlib import resources

import pytest

from ektp_routes import ConfigError
from ektp_routes.i18n import LANGUAGES, messages, placeholders


def _catalogue(lang: str) -> dict[str, str]:
    text = resources.files("ektp_routes").joinpath("locale", f"{lang}.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def test_every_language_has_every_message_with_the_same_placeholders() -> None:
    base = _catalogue("id")
    for lang in LANGUAGES:
        cat = _catalogue(lang)
        assert set(cat) == set(base), lang
        for key, text in cat.items():
            assert text.strip(), (lang, key)
            assert placeholders(text) == placeholders(base[key]), (lang, key)


def test_indonesian_by_default_english_on_request() -> None:
    assert messages()("map.filter") == "Tampilkan"
    assert messages("en")("map.filter") == "Show"
    assert messages("id")("map.showing", routes=3, stops=40) == "3 rute, 40 titik ditampilkan"


def test_unknown_language_and_message_are_clear_errors() -> None:
    with pytest.raises(ConfigError, match="choose one of id, en"):
        messages("fr")
    with pytest.raises(KeyError, match="missing from the 'id' catalogue"):
        messages("id")("no.such.message")


def test_every_summary_column_has_a_heading_in_every_language() -> None:
    from ektp_routes import schema

    for lang in LANGUAGES:
        missing = [c for c in schema.SUMMARY if f"column.{c}" not in messages(lang).catalogue]
        assert missing == [], lang
    assert messages("id").columns(["cards_street"]) == {"cards_street": "kartu_jalan"}


def test_every_closed_day_reason_weekday_and_outcome_problem_is_worded_in_every_language() -> None:
    from ektp_routes.outcomes import Problem, problem_message
    from ektp_routes.workcalendar import DAY_NAMES, ClosedReason

    for lang in LANGUAGES:
        cat = messages(lang).catalogue
        wanted = [f"closed.{r}" for r in ClosedReason] + [f"weekday.{d}" for d in DAY_NAMES]
        assert [k for k in wanted + [f"problem.{p}" for p in Problem] if k not in cat] == [], lang
    assert problem_message("future_date", t=messages("id")) == "waktunya di masa depan"
    assert problem_message("future_date") == "the time lies in the future"


def test_a_worded_log_line_is_in_the_console_language(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from ektp_routes.i18n import ConsoleFormatter, log

    with caplog.at_level(logging.INFO, logger="ektp_routes.test"):
        log(logging.getLogger("ektp_routes.test"), logging.WARNING, "log.ways_skipped", name="x.pbf", n=3)
        logging.getLogger("ektp_routes.test").info("plain %d", 5)
    worded, plain = caplog.records
    assert worded.getMessage() == "x.pbf: 3 road ways skipped (nodes missing from the extract)"
    assert ConsoleFormatter(messages("id")).format(worded) == (
        "PERINGATAN ektp_routes.test: x.pbf: 3 ruas jalan dilewati (simpulnya tidak ada di ekstrak)"
    )
    assert (
        ConsoleFormatter(messages("en")).format(worded) == "WARNING ektp_routes.test: " + worded.getMessage()
    )
    assert ConsoleFormatter(messages("id")).format(plain) == "INFO ektp_routes.test: plain 5"
    assert worded.levelname == "WARNING"  # the record itself is left as it was, for other handlers


def test_every_log_line_a_command_line_shows_by_default_is_worded_by_the_catalogue() -> None:
    # The command line shows WARNING and above (INFO with -v, DEBUG with -vv): such a line is logged
    # through i18n.log, so that a planner reads it in their language; INFO and DEBUG stay English.
    import re
    from pathlib import Path

    import ektp_routes

    plain = re.compile(r"\b(?:logger|logging)\.(?:warning|error|critical|exception|warn)\(")
    root = Path(ektp_routes.__file__).parent
    found = [
        f"{p.relative_to(root)}:{n}"
        for p in sorted(root.rglob("*.py"))
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if plain.search(line)
    ]
    assert found == []
