"""Reading and writing framework text: safe YAML with unique keys, JSON, nesting limits.

Every framework file is read through :func:`parse_text` (YAML or JSON into plain data), which
turns every failure of the parsers into a :class:`~missionlens.errors.FrameworkError` with a
located problem: syntax errors, duplicate keys (YAML forbids them; PyYAML would keep the last
silently), unhashable keys (``? [a, b]``) and nesting deeper than :data:`MAX_DEPTH` (which would
otherwise end in a ``RecursionError`` traceback). YAML is read with a subclass of
``yaml.SafeLoader`` only: no Python objects are ever constructed from a file.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import yaml

from missionlens.errors import (
    ArgumentError,
    FrameworkError,
    YAMLDuplicateKeyError,
    YAMLTooDeepError,
)
from missionlens.framework.structure import Problem, problem, problem_frame

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPANDED_NODES",
    "dump_yaml",
    "nesting_depth",
    "parse_text",
    "read_text",
    "safe_load_unique",
    "too_deep_problem",
]

#: Deepest nesting of lists and mappings accepted in a framework file. A framework needs about
#: six levels (framework > indicators > indicator > anchors > anchor > text); anything far
#: deeper is a mistake or an attack, refused before it can exhaust Python's recursion limit.
MAX_DEPTH = 100


#: The most values a YAML document may expand to once its aliases are followed. An alias
#: refers to an anchored node without copying it, so a few lines can stand for billions of
#: values ("billion laughs"); the built-in framework expands to about 10,000.
MAX_EXPANDED_NODES = 1_000_000


def expanded_size(node: yaml.Node, limit: int = MAX_EXPANDED_NODES) -> int:
    """How many nodes a composed YAML node stands for once every alias is followed.

    Counted over the distinct nodes (each anchored node once, memoised by identity), so that
    the count itself costs time in proportion to the text, not to its expansion; stops past
    ``limit``.
    """
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, done = stack.pop()
        key = id(current)
        if key in sizes and not done:
            continue
        children: list[yaml.Node] = []
        if isinstance(current, yaml.SequenceNode):
            children = list(current.value)
        elif isinstance(current, yaml.MappingNode):
            children = [part for pair in current.value for part in pair]
        if not done:
            stack.append((current, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        sizes[key] = min(limit + 1, 1 + sum(sizes.get(id(child), 1) for child in children))
    return sizes[id(node)]


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing duplicate and unhashable keys, deep nesting and alias
    expansion past :data:`MAX_EXPANDED_NODES`."""

    _nesting = 0

    def construct_document(self, node: Any) -> Any:
        if expanded_size(node) > MAX_EXPANDED_NODES:
            raise YAMLTooDeepError(
                f"the YAML expands to more than {MAX_EXPANDED_NODES:,} values once its aliases "
                "(*name) are followed; a framework file is far smaller. Write the repeated "
                "parts out, or use fewer nested aliases"
            )
        return super().construct_document(node)  # type: ignore[no-untyped-call]

    def compose_node(self, parent: Any, index: Any) -> Any:
        # PyYAML composes recursively: stop at the cap, long before Python's recursion limit
        self._nesting += 1
        try:
            if self._nesting > MAX_DEPTH + 1:  # + 1: the scalars inside the deepest list
                raise YAMLTooDeepError(_too_deep_message())
            return super().compose_node(parent, index)  # type: ignore[no-untyped-call]
        finally:
            self._nesting -= 1


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)  # type: ignore[no-untyped-call]
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found a {type(key).__name__} used as a key; keys must be plain text",
                key_node.start_mark,
            ) from None
        if key in seen:
            raise YAMLDuplicateKeyError(key, line, seen[key])
        seen[key] = line
    return dict(loader.construct_mapping(node))


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_unique_mapping,  # type: ignore[arg-type]
)


def safe_load_unique(text: str) -> Any:
    """``yaml.safe_load`` that refuses duplicate keys, unhashable keys and deep nesting.

    Parameters
    ----------
    text : str
        YAML text.

    Returns
    -------
    object
        The parsed data (only the types ``yaml.safe_load`` builds).

    Raises
    ------
    YAMLDuplicateKeyError
        If a mapping repeats a key.
    YAMLTooDeepError
        If lists and mappings nest more than :data:`MAX_DEPTH` levels deep (a subclass of
        ``yaml.YAMLError``, so that callers that handle syntax errors handle it too).
    yaml.YAMLError
        If the text is not valid YAML or uses a list or mapping as a key.
    """
    # a subclass of yaml.SafeLoader: the same safe constructors, plus the key checks
    if _bracket_depth(text) > MAX_DEPTH:
        # PyYAML's scanner looks ahead over every open bracket (quadratic time): refuse first
        raise YAMLTooDeepError(_too_deep_message())
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except RecursionError:
        raise YAMLTooDeepError(_too_deep_message()) from None
    if nesting_depth(data) > MAX_DEPTH:
        raise YAMLTooDeepError(_too_deep_message())
    return data


_BRACKETS = re.compile(r"[\[\]{}]")


def _bracket_depth(text: str) -> int:
    """Deepest nesting of flow brackets in YAML text, counted on the brackets alone.

    Brackets inside quoted text count too: an over-estimate that matters only for text with
    more than :data:`MAX_DEPTH` unclosed brackets, which no framework has.
    """
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break
        else:
            depth = max(depth - 1, 0)
    return deepest


def nesting_depth(data: Any) -> int:
    """How deeply lists and mappings nest in parsed data (0 for a scalar), without recursion.

    Stops counting just past :data:`MAX_DEPTH`.
    """
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: list[Any] = list(value.values())
        elif isinstance(value, (list, tuple)):
            children = list(value)
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, depth) for child in children)
    return deepest


def _too_deep_message() -> str:
    return (
        f"lists and mappings are nested more than {MAX_DEPTH} levels deep; a framework file "
        "needs about six levels (check for unclosed brackets)"
    )


def too_deep_problem() -> Problem:
    """The ``too_deep`` problem row."""
    return problem("", "too_deep", _too_deep_message(), value=f"> {MAX_DEPTH} levels")


def parse_text(text: str, kind: str, name: str | None) -> Any:
    """Parse framework text as ``"yaml"`` or ``"json"``, every failure as a FrameworkError.

    Parameters
    ----------
    text : str
        The file's content.
    kind : {"yaml", "json"}
        The format.
    name : str or None
        File name for the problems' ``file`` column and the message.

    Raises
    ------
    FrameworkError
        With one located problem: ``yaml_syntax``, ``json_syntax``, ``duplicate_key`` or
        ``too_deep``.
    """
    if kind == "json":
        return _parse_json(text, name)
    try:
        return safe_load_unique(text)
    except YAMLDuplicateKeyError as exc:
        found = problem(f"line {exc.line}", "duplicate_key", str(exc), value=str(exc.key))
    except YAMLTooDeepError as exc:
        found = (
            too_deep_problem()
            if str(exc) == _too_deep_message()
            else problem("", "too_deep", str(exc), value=f"> {MAX_EXPANDED_NODES:,} values")
        )
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        found = problem(where, "yaml_syntax", f"not valid YAML: {_yaml_message(exc)}")
    raise FrameworkError(problem_frame([found], name), name)


def _yaml_message(exc: yaml.YAMLError) -> str:
    """What PyYAML found, without its excerpt of the text (the path column says where)."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem:
        context = f"{exc.context}: " if exc.context else ""
        return f"{context}{exc.problem}"
    return " ".join(str(exc).split())


def _parse_json(text: str, name: str | None) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        found = problem(
            f"line {exc.lineno}, column {exc.colno}", "json_syntax", f"not valid JSON: {exc.msg}"
        )
    except RecursionError:
        found = too_deep_problem()
    else:
        if nesting_depth(data) <= MAX_DEPTH:
            return data
        found = too_deep_problem()
    raise FrameworkError(problem_frame([found], name), name)


class _BlockDumper(yaml.SafeDumper):
    """Safe YAML dumper that writes multi-line strings as literal blocks."""


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_BlockDumper.add_representer(str, _str_representer)


def dump_yaml(data: Any) -> str:
    """YAML text of plain data: keys in the given order, unicode kept, multi-line text as blocks."""
    return yaml.dump(data, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=100)


def read_text(source: str | Path, argument: str = "source") -> tuple[str, str | None]:
    """Text and display name of a path, or the string itself if it is not a file name.

    A string is taken as a file name if it has no line break, is shorter than 1,024 characters
    and ends in ``.yaml``, ``.yml`` or ``.json``.

    Raises
    ------
    ArgumentError
        If ``source`` is neither text nor a path.
    FileNotFoundError
        If ``source`` names a framework file that does not exist.
    FrameworkError
        If the file is not UTF-8 text.
    """
    path: Path | None = None
    if isinstance(source, Path):
        path = source
    elif isinstance(source, os.PathLike):
        path = Path(source)
    elif not isinstance(source, str):
        raise ArgumentError(
            f"{argument} must be YAML or JSON text or the path of a framework file (str or "
            f"pathlib.Path), not {type(source).__name__}"
        )
    elif "\n" not in source and len(source) < 1024:
        candidate = Path(source)
        if candidate.suffix.lower() in (".yaml", ".yml", ".json"):
            if not candidate.exists():
                raise FileNotFoundError(f"framework file not found: {source}")
            path = candidate
    if path is None:
        return str(source), None
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except UnicodeDecodeError as exc:
        raise FrameworkError(
            problem_frame(
                [
                    problem(
                        f"byte {exc.start}",
                        "not_utf8",
                        f"the file is not UTF-8 text ({exc.reason}); save it as UTF-8",
                    )
                ],
                str(path),
            ),
            str(path),
        ) from None
