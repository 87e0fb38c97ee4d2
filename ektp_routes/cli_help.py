"""The command line's own words in the user's language: ``--help`` (usage, headings, every option's
text from the catalogue's ``help.*`` messages) and usage errors as one line.

Every parser of ``ektp-routes`` is of one :class:`Parser` class that carries the language chosen with
``--lang`` (argparse builds a command's parser of its parent's class), so that a command's help and
its usage errors speak that language wherever they are printed. argparse's errors about a command
line are worded by the catalogue's ``argparse.*`` messages: their English text (argparse's gettext
message ids) is matched and its values carried over; a message this table does not know (another
Python's wording) stays argparse's English. The placeholders of the usage lines (``KANTOR`` for
``--offices``, ``PERINTAH`` for a command) are the catalogue's ``metavar.<dest>`` messages.
"""

from __future__ import annotations

import argparse
import re
from functools import cache
from typing import Any, NoReturn

from ektp_routes.i18n import DEFAULT_LANG, Messages, messages
from ektp_routes.nik import mask_nik_in

#: argparse's message ids (Python 3.11's wording) -> the catalogue's message for them; argparse's
#: ``%(name)s``/``%(name)r`` fields are the message's placeholders (``%s``: ``args``).
ARGPARSE_MESSAGES = {
    "argument %(argument_name)s: %(message)s": "argparse.argument",
    "unrecognized arguments: %s": "argparse.unrecognized",
    "invalid choice: %(value)r (choose from %(choices)s)": "argparse.invalid_choice",
    "the following arguments are required: %s": "argparse.required",
    "expected one argument": "argparse.expected_one",
    "one of the arguments %s is required": "argparse.one_of_required",
    "not allowed with argument %s": "argparse.not_allowed_with",
    "invalid %(type)s value: %(value)r": "argparse.invalid_value",
    "ambiguous option: %(option)s could match %(matches)s": "argparse.ambiguous",
    "expected at least one argument": "argparse.expected_at_least_one",
    "expected at most one argument": "argparse.expected_at_most_one",
    "ignored explicit argument %r": "argparse.ignored_explicit",
}
_FIELD = re.compile(r"%(?:\((\w+)\))?[sr]")


def add_command(sub: Any, key: str, t: Messages) -> argparse.ArgumentParser:
    """Add a command to ``sub`` (an ``add_subparsers()`` result): its name is the last part of
    ``key`` (``ops.start`` -> ``start``, ``demo_cards`` -> ``demo-cards``), and the catalogue's
    ``help.<key>`` is its line in the command list and the description atop its own --help."""
    text = t(f"help.{key}")
    name = key.rpartition(".")[2].replace("_", "-")
    parser: argparse.ArgumentParser = sub.add_parser(name, help=text, description=text)
    return parser


def add_cards_argument(parser: argparse.ArgumentParser, t: Messages) -> None:
    """The card list a command reads, and ``--sheet`` to read one sheet of a workbook only."""
    parser.add_argument("cards", help=t("help.cards"))
    parser.add_argument("--sheet", help=t("help.sheet"))


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

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> tuple[Any, list[str]]:
        self._name_placeholders()  # before parsing: an error names an argument by its placeholder
        return super().parse_known_args(args, namespace)

    def _get_formatter(self) -> argparse.HelpFormatter:
        self._name_placeholders()
        return super()._get_formatter()

    def _name_placeholders(self) -> None:
        """Give every argument that takes a value its placeholder in :attr:`lang` (``metavar.<dest>``)
        unless it has one or lists its choices."""
        t = messages(self.lang)
        for action in self._actions:
            command = isinstance(action, argparse._SubParsersAction)
            if action.metavar is None and action.nargs != 0 and (command or not action.choices):
                action.metavar = t(f"metavar.{action.dest}")

    def error(self, message: str) -> NoReturn:
        t = messages(self.lang)
        text = t("cli.usage_error", prog=self.prog, message=argparse_text(message, t))
        self.exit(2, t("cli.error", message=mask_nik_in(text)) + "\n")


def parser_class(lang: str) -> type[Parser]:
    """The :class:`Parser` class of ``lang``."""
    return type("Parser", (Parser,), {"lang": lang})


@cache
def _pattern(msgid: str) -> re.Pattern[str]:
    """A regular expression matching the messages argparse formats from ``msgid``, a group per field."""
    parts, last = [], 0
    for field in _FIELD.finditer(msgid):
        parts += [re.escape(msgid[last : field.start()]), f"(?P<{field.group(1) or 'args'}>.+?)"]
        last = field.end()
    return re.compile("".join([*parts, re.escape(msgid[last:])]), re.DOTALL)


def argparse_text(message: str, t: Messages) -> str:
    """argparse's error ``message`` worded by ``t`` when it is one of :data:`ARGPARSE_MESSAGES`
    (an ``argument X: ...`` message's own message too); otherwise ``message`` as it is.

    >>> argparse_text("argument --lang: invalid choice: 'fr' (choose from 'id', 'en')", messages("id"))
    "argumen --lang: pilihan tidak sah: 'fr' (pilih salah satu dari 'id', 'en')"
    """
    for msgid, key in ARGPARSE_MESSAGES.items():
        match = _pattern(msgid).fullmatch(message)
        if match:
            values = match.groupdict()
            if "message" in values:
                values["message"] = argparse_text(values["message"], t)
            return t(key, **values)
    return message
