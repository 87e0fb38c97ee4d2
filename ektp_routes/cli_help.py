"""The command line's own words in the user's language: ``--help`` (usage, headings, every option's
text from the catalogue's ``help.*`` messages) and usage errors as one line.

Every parser of ``ektp-routes`` is of one :class:`Parser` class that carries the language chosen with
``--lang`` (argparse builds a command's parser of its parent's class), so that a command's help and
its usage errors speak that language wherever they are printed.
"""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from ektp_routes.i18n import DEFAULT_LANG, Messages, messages


def add_command(sub: Any, key: str, t: Messages) -> argparse.ArgumentParser:
    """Add a command to ``sub`` (an ``add_subparsers()`` result): its name is the last part of
    ``key`` (``ops.start`` -> ``start``, ``demo_cards`` -> ``demo-cards``), and the catalogue's
    ``help.<key>`` is its line in the command list and the description atop its own --help."""
    text = t(f"help.{key}")
    name = key.rpartition(".")[2].replace("_", "-")
    parser: argparse.ArgumentParser = sub.add_parser(name, help=text, description=text)
    return parser


def _formatter(t: Messages) -> type[argparse.HelpFormatter]:
    """argparse's help layout with its ``usage:`` heading in the language of ``t``."""
    heading = t("help.usage") + " "

    class Formatter(argparse.HelpFormatter):
        def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: Any = None) -> None:
            super().add_usage(usage, actions, groups, heading if prefix is None else prefix)

    return Formatter


class Parser(argparse.ArgumentParser):
    """A parser that speaks :attr:`lang`: the help's headings and ``-h`` in that language, and a usage
    mistake as one line naming the option (argparse prints the usage and exits 2 otherwise).

    Make a language's class with :func:`parser_class`.
    """

    lang = DEFAULT_LANG

    def __init__(self, **kwargs: Any) -> None:
        t = messages(self.lang)
        super().__init__(**kwargs, formatter_class=_formatter(t), add_help=False)
        # argparse names its two default groups when it makes them; the titles are plain attributes.
        self._positionals.title = t("help.positionals")
        self._optionals.title = t("help.options")
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=t("help.help"))

    def error(self, message: str) -> NoReturn:
        t = messages(self.lang)
        self.exit(2, t("cli.error", message=f"{self.prog}: {message} (see --help)") + "\n")


def parser_class(lang: str) -> type[Parser]:
    """The :class:`Parser` class of ``lang``."""
    return type("Parser", (Parser,), {"lang": lang})
