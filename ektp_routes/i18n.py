"""What a planner or courier reads, in Bahasa Indonesia (default) or English, from one message catalogue.

The catalogues are ``ektp_routes/locale/<lang>.json``: message id -> text with ``{named}`` placeholders
(:meth:`str.format`). Every language has the same ids and the same placeholders (checked by the tests),
so a translator edits one JSON file and no string is scattered in code. The library's API, logs and
exceptions stay in English; what a command line shows is worded again in the user's language: every
warning logged (:func:`log`) and every refusal a command can meet (:func:`error`). INFO and DEBUG
lines, and exceptions without a message id (values only Python code passes), are for developers.

Example
-------
>>> t = messages("id")
>>> t("report.title")
'Laporan rencana pengantaran e-KTP'
>>> messages("en")("cli.cards_in", n=3)
'cards in: 3'
>>> t.columns(["office_id", "km"])
{'office_id': 'kode_kantor', 'km': 'km'}
"""

from __future__ import annotations

import json
import logging
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, partial
from importlib import resources
from types import MappingProxyType
from typing import Literal, TypeVar, get_args

from ektp_routes._errors import ConfigError, EktpRoutesError

Lang = Literal["id", "en"]
LANGUAGES: tuple[str, ...] = get_args(Lang)
DEFAULT_LANG: Lang = "id"
E = TypeVar("E", bound=EktpRoutesError)


@dataclass(frozen=True)
class Messages:
    """A language's catalogue; call it with a message id (and placeholder values) to get the text."""

    lang: str
    catalogue: Mapping[str, str] = field(repr=False)

    def __call__(self, key: str, /, **values: object) -> str:
        try:
            text = self.catalogue[key]
        except KeyError:
            raise KeyError(f"message {key!r} is missing from the {self.lang!r} catalogue") from None
        return text.format(**values) if values else text

    def columns(self, names: Iterable[str]) -> dict[str, str]:
        """Column name -> its heading in this language (``column.<name>``; the name itself if none)."""
        return {n: self.catalogue.get(f"column.{n}", n) for n in names}

    def section(self, prefix: str) -> dict[str, str]:
        """Every message whose id starts with ``prefix`` (the prefix removed): e.g. the map's labels."""
        return {k[len(prefix) :]: v for k, v in self.catalogue.items() if k.startswith(prefix)}


def placeholders(text: str) -> frozenset[str]:
    """The ``{named}`` placeholders of a catalogue text."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


def cli_messages(args: object) -> Messages:
    """The catalogue of the language a command line chose with ``--lang`` (``args.lang``; Bahasa
    Indonesia when none was chosen)."""
    return messages(getattr(args, "lang", None) or DEFAULT_LANG)


@cache
def messages(lang: str = DEFAULT_LANG) -> Messages:
    """The catalogue of ``lang`` ('id' Bahasa Indonesia, 'en' English)."""
    if lang not in LANGUAGES:
        raise ConfigError(f"language {lang!r} is not available; choose one of {', '.join(LANGUAGES)}")
    text = resources.files("ektp_routes").joinpath("locale", f"{lang}.json").read_text(encoding="utf-8")
    return Messages(lang, json.loads(text))


def log(logger: logging.Logger, level: int, key: str, /, **values: object) -> None:
    """Log the catalogue's message ``key`` in English (the library's logs are English); the record
    keeps ``key`` and ``values`` so that the command line's :class:`ConsoleFormatter` words it in the
    user's language (a value made by :func:`phrase` is worded in each language)."""
    if logger.isEnabledFor(level):
        en = messages("en")
        logger.log(level, "%s", en(key, **_worded(values, en)), extra={"i18n": (key, values)})


class ConsoleFormatter(logging.Formatter):
    """The command line's log lines (``LEVEL logger: message``) in the language of ``t``: a record
    logged with :func:`log` is worded there, and so is its level (``PERINGATAN``)."""

    def __init__(self, t: Messages) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")
        self.t = t

    def format(self, record: logging.LogRecord) -> str:
        shown = logging.makeLogRecord(record.__dict__)
        worded = getattr(record, "i18n", None)
        if worded is not None:
            shown.msg, shown.args = self.t(worded[0], **_worded(worded[1], self.t)), None
        shown.levelname = self.t.catalogue.get(f"log.{record.levelname}", record.levelname)
        return super().format(shown)


def error(kind: type[E], key: str, /, **values: object) -> E:
    """An exception of ``kind`` worded by the catalogue's message ``key``: English text (the library's
    exceptions are English), with ``key`` and ``values`` kept for :func:`error_text`. A value that is
    a function of a catalogue (``Messages -> str``) is a part worded in the message's language too.

    >>> from ektp_routes._errors import OutputError
    >>> exc = error(OutputError, "error.folder_is_file", option="--out", path="x.csv")
    >>> str(exc)
    '--out x.csv is a file, not a directory; choose a directory'
    >>> error_text(exc, messages("id"))
    '--out x.csv adalah berkas, bukan folder; pilih sebuah folder'
    """
    en = messages("en")
    exc = kind(en(key, **_worded(values, en)))
    exc.key, exc.values = key, MappingProxyType(dict(values))
    return exc


def phrase(key: str, /, **values: object) -> Callable[[Messages], str]:
    """A part of a message worded later in the message's language: the catalogue's text ``key``
    (with ``values``), as a value of :func:`error` (picklable, unlike a lambda).

    >>> str(error(ConfigError, "error.office_id", value="'x y'", rule=phrase("office.id_rule")))[:33]
    "office_id 'x y': allowed 1 to 40 "
    """
    return partial(_phrase, key, values)


def _phrase(key: str, values: Mapping[str, object], t: Messages) -> str:
    return t(key, **_worded(values, t))


def _worded(values: Mapping[str, object], t: Messages) -> dict[str, object]:
    """``values`` with each function of a catalogue replaced by its text in the language of ``t``."""
    return {k: v(t) if callable(v) else v for k, v in values.items()}


def error_text(exc: BaseException, t: Messages) -> str:
    """The message of ``exc`` in the language of ``t`` when it was worded by :func:`error`, else its
    own (English) text."""
    if isinstance(exc, EktpRoutesError) and exc.key:
        return t(exc.key, **_worded(exc.values, t))
    return str(exc)
