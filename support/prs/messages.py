"""PRS's user-facing messages, as reviewed in docs/messages.md, and the check every refusal the suite sees goes
through.

The catalogue is read from the Markdown page, never derived from PRS's code: a mutated or carelessly edited
sentence in the code must disagree with it. Each ``| `message` | field | when |`` row is a template; ``{name}``
matches any non-empty text (``{error_code}`` and ``{errors}`` have narrower shapes, see ``SHAPES``), the rest
matches literally and case-sensitively, over the whole message.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CATALOGUE = Path(__file__).resolve().parents[2] / "docs" / "messages.md"
CATALOGUE_NAME = "docs/messages.md"

# Placeholders whose text has a known shape: a looser match would let a changed sentence pass as one of them
# (e.g. anything with ": " in it as a collaborator's failure).
SHAPES = {
    "error_code": r"[a-z_]+",
    "errors": r"\{'[^']+': \[.*\]\}",
    "minutes": r"[0-9]+",  # a number of minutes from the settings, never "None"
}
ANY_TEXT = r".+?"
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_HEADER = ("Message", "Field", "When")

# Messages the suite's own test doubles make (steps that inject a failure), which PRS passes on as they are.
INJECTED_FAILURE = "{what} failed (injected)"


def injected_failure(what: str) -> str:
    """The message of a failure a step injects into a collaborator of PRS."""
    return INJECTED_FAILURE.replace("{what}", what)


class CatalogueError(ValueError):
    """docs/messages.md is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Template:
    text: str
    area: str
    line: int
    pattern: re.Pattern[str]

    def matches(self, message: str) -> bool:
        return self.pattern.fullmatch(message) is not None


def compile_template(text: str, where: str = "") -> re.Pattern[str]:
    """The full-match regex of a template; a brace that is not a ``{name}`` placeholder is an error."""
    parts, position = [], 0
    for placeholder in _PLACEHOLDER.finditer(text):
        parts.append(_literal(text[position:placeholder.start()], where))
        parts.append(f"(?:{SHAPES.get(placeholder.group(1), ANY_TEXT)})")
        position = placeholder.end()
    parts.append(_literal(text[position:], where))
    return re.compile("".join(parts), re.DOTALL)


def _literal(text: str, where: str) -> str:
    stray = re.search(r"[{}]", text)
    if stray:
        raise CatalogueError(f"{where}: unknown placeholder syntax near {text[stray.start():][:20]!r}: "
                             "write {name} (lowercase letters, digits and underscores)")
    return re.escape(text)


@dataclass(frozen=True)
class Catalogue:
    templates: tuple[Template, ...]
    source: str = CATALOGUE_NAME

    def find(self, message: str) -> Template | None:
        return next((template for template in self.templates if template.matches(message)), None)

    def __len__(self) -> int:
        return len(self.templates)


def parse_catalogue(text: str, source: str = CATALOGUE_NAME) -> Catalogue:
    """The templates of the catalogue's tables, grouped under ``## Area`` headings; any malformed table row,
    duplicate or stray brace is a CatalogueError naming ``source:line``."""
    templates: list[Template] = []
    seen: dict[str, int] = {}
    area, header_seen = "", False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"{source}:{number}"
        if line.startswith("#"):
            area = line.lstrip("#").strip() if line.startswith("## ") else ""
            header_seen = False
            continue
        if not line.startswith("|"):
            continue
        if not area:
            raise CatalogueError(f"{where}: a table row outside an area (a '## Area' heading comes first)")
        if not line.endswith("|"):
            raise CatalogueError(f"{where}: a table row must end with '|'")
        cells = [cell.strip() for cell in line[1:-1].split("|")]
        if len(cells) != len(_HEADER):
            raise CatalogueError(f"{where}: expected {len(_HEADER)} cells (Message | Field | When), got {len(cells)}")
        if not header_seen:
            if tuple(cells) != _HEADER:
                raise CatalogueError(f"{where}: expected the header '| Message | Field | When |', got {line!r}")
            header_seen = True
            continue
        if all(re.fullmatch(r":?-{3,}:?", cell) for cell in cells):
            continue
        message = cells[0]
        if not (len(message) > 2 and message.startswith("`") and message.endswith("`") and "`" not in message[1:-1]):
            raise CatalogueError(f"{where}: the message must be one `quoted` template, got {message!r}")
        message = message[1:-1]
        if message != message.strip():
            raise CatalogueError(f"{where}: the message {message!r} starts or ends with a space")
        if not cells[2]:
            raise CatalogueError(f"{where}: say when PRS answers {message!r}")
        if message in seen:
            raise CatalogueError(f"{where}: {message!r} is already listed at {source}:{seen[message]}")
        seen[message] = number
        templates.append(Template(message, area, number, compile_template(message, where)))
    if not templates:
        raise CatalogueError(f"{source}: no messages found")
    return Catalogue(tuple(templates), source)


@functools.cache
def catalogue() -> Catalogue:
    """docs/messages.md, read and validated once per process."""
    return parse_catalogue(CATALOGUE.read_text(encoding="utf-8"))


@functools.cache
def _injected() -> tuple[re.Pattern[str], ...]:
    return (compile_template(INJECTED_FAILURE, "support/prs/messages.py"),)


def is_known(message: str, known: Catalogue | None = None) -> bool:
    return (known or catalogue()).find(message) is not None or any(p.fullmatch(message) for p in _injected())


def assert_known_message(text: Any, where: str, known: Catalogue | None = None) -> None:
    """``text`` is one of PRS's catalogued messages; else an AssertionError naming it, ``where`` it came from
    and the catalogue."""
    source = (known or catalogue()).source
    if not isinstance(text, str):
        raise AssertionError(f"{where} answered {text!r} where a message belongs (see {source})")
    if not is_known(text, known):
        raise AssertionError(f"{where} answered a message that is not in {source}: {text!r} — a changed "
                             f"sentence, or a new one to review and add to {source}")


def messages_of(errors: Any) -> Iterable[Any]:
    """Every message of a (possibly nested) ``{field: [message, ...]}`` structure."""
    if isinstance(errors, Mapping):
        for value in errors.values():
            yield from messages_of(value)
    elif isinstance(errors, list | tuple):
        for value in errors:
            yield from messages_of(value)
    else:
        yield errors


def assert_known_errors(errors: Any, where: str, known: Catalogue | None = None) -> None:
    """Every message of ``errors`` (a ServiceResult's or an error body's) is catalogued."""
    for message in messages_of(errors):
        assert_known_message(message, where, known)


def assert_known_result(result: Any, where: str, known: Catalogue | None = None) -> None:
    """A refused ServiceResult speaks only catalogued messages."""
    if not result.success:
        assert_known_errors(result.errors, f"{where} ({result.error_code})", known)


def assert_known_body(body: Mapping[str, Any], where: str, known: Catalogue | None = None) -> None:
    """An API error body's ``detail`` sentence and every message of its ``errors`` are catalogued."""
    assert_known_message(body.get("detail"), f"{where} (detail)", known)
    assert_known_errors(body.get("errors") or {}, f"{where} (errors)", known)
