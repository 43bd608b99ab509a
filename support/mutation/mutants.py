"""Mutants of Python files, made by mutmut 3's mutation engine (used as a library, not as a test runner).

mutmut rewrites a module so that every function carries all its mutants behind a trampoline; the active one
is picked at call time (``set_mutant_under_test``). We keep that rewritten code for the ``mutants/`` copy of
the project and describe every mutant ourselves: the line it changes, a label for the kind of change, and a
small diff. mutmut numbers a function's mutants in the order its visitor found them
(``x_<func>__mutmut_<n>``, ``xǁ<Class>ǁ<method>__mutmut_<n>``); we rebuild the names the same way and check
them against mutmut's own list, so a change in mutmut's numbering is an error, never a silent mismatch.

Lines marked ``# pragma: no mutate`` (mutmut's pragma) get no mutants; write the reason after it, e.g.
``# pragma: no mutate — the default is only a hint``. Methods of ``typing.Protocol`` classes get none either:
they only declare an interface and never run.

A line marked ``# mutate: only on postgresql — <reason>`` keeps its mutants, but a campaign on another
database does not run them: their change cannot show there (a row lock on SQLite, which has none). They are
counted apart, never as killed or survived, and run by a campaign on the database(s) named.
"""
from __future__ import annotations

import ast
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

# Labels of the kind of change, by the node mutmut mutated (mutmut does not name its operators).
OPERATOR_BY_NODE: dict[str, str] = {
    "Integer": "number", "Float": "number", "Imaginary": "number",
    "SimpleString": "string", "ConcatenatedString": "string", "FormattedString": "string",
    "Name": "name", "Assign": "assignment", "AnnAssign": "assignment", "AugAssign": "augmented_assignment",
    "UnaryOperation": "unary_operator", "Call": "call", "Lambda": "lambda", "Match": "match",
    "IfExp": "conditional_expression", "BinaryOperation": "binary_operator", "BooleanOperation": "boolean_operator",
    "Comparison": "comparison", "ComparisonTarget": "comparison", "Break": "keyword", "Continue": "keyword",
    "Return": "return",
}


class MutationError(ValueError):
    """A file cannot be mutated (syntax error, bad pragma); the message names the file."""


@dataclass(frozen=True)
class Mutant:
    """One mutant: ``id`` is what the trampoline activates (``<module>.<mangled name>__mutmut_<n>``)."""

    id: str
    file: str  # relative to the project root, forward slashes
    line: int  # first line of the mutated node
    end_line: int
    operator: str
    diff: str
    function: str  # the mangled top-level function or method (x_f / xǁCǁm): previous killers are per function
    only_on: tuple[str, ...] = ()  # database vendors where the change can show (``# mutate: only on …``)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def changed_lines(self, side: str = "+-") -> list[str]:
        """The diff's removed ("-") and/or added ("+") lines, with their sign, without the file headers."""
        return [line for line in self.diff.splitlines() if line[:1] in side and line[:3] not in ("+++", "---")]


@dataclass(frozen=True)
class MutatedModule:
    file: str
    module: str
    code: str  # the rewritten module (original functions behind trampolines)
    mutants: tuple[Mutant, ...]
    source_hash: str


def module_name(relative_file: str) -> str:
    parts = list(Path(relative_file).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _mangled(name: str, class_name: str | None) -> str:
    from mutmut.mutation.trampoline_templates import mangle_function_name

    return mangle_function_name(name=name, class_name=class_name)


def _function_owners(module: cst.Module) -> dict[cst.FunctionDef, str]:
    """Top-level functions and methods of top-level classes -> their mangled names (mutmut's scope)."""
    owners: dict[cst.FunctionDef, str] = {}
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef):
            owners[statement] = _mangled(statement.name.value, None)
        elif isinstance(statement, cst.ClassDef) and isinstance(statement.body, cst.IndentedBlock):
            for method in statement.body.body:
                if isinstance(method, cst.FunctionDef):
                    owners[method] = _mangled(method.name.value, statement.name.value)
    return owners


def _protocol_methods(module: cst.Module) -> set[str]:
    """Mangled names of the methods of top-level ``typing.Protocol`` classes: they declare an interface and
    never run (``...`` bodies), so a mutant of their defaults could only ever be "no coverage"."""
    stubs: set[str] = set()
    for statement in module.body:
        if not isinstance(statement, cst.ClassDef) or not isinstance(statement.body, cst.IndentedBlock):
            continue
        bases = [arg.value for arg in statement.bases]
        if not any((isinstance(b, cst.Name) and b.value == "Protocol")
                   or (isinstance(b, cst.Attribute) and b.attr.value == "Protocol") for b in bases):
            continue
        for method in statement.body.body:
            if isinstance(method, cst.FunctionDef):
                stubs.add(_mangled(method.name.value, statement.name.value))
    return stubs


def _diff(lines: Sequence[str], file: str, start: tuple[int, int], end: tuple[int, int], new_code: str) -> str:
    """A unified diff of the lines the mutant touches."""
    (start_line, start_col), (end_line, end_col) = start, end
    before = lines[start_line - 1:end_line]
    after_text = before[0][:start_col] + new_code + before[-1][end_col:]
    after = after_text.split("\n")
    header = f"--- a/{file}\n+++ b/{file}\n@@ -{start_line},{len(before)} +{start_line},{len(after)} @@\n"
    return header + "".join(f"-{line}\n" for line in before) + "".join(f"+{line}\n" for line in after)


PRAGMA = re.compile(r"#\s*pragma:\s*no mutate\b(?P<rest>.*)$")
PRAGMA_WORDS = {"block", "start", "end"}


def check_pragmas(relative_file: str, source: str) -> None:
    """Every ``# pragma: no mutate`` says why (an unexplained one hides a rule the suite may not guard)."""
    for number, line in enumerate(source.splitlines(), start=1):
        match = PRAGMA.search(line)
        if match is None:
            continue
        words = match.group("rest").lstrip(" :").split()
        reason = words[1:] if words and words[0].rstrip(",") in PRAGMA_WORDS else words
        if not [w for w in reason if w.strip("—-:,")]:
            raise MutationError(f"{relative_file}:{number}: '# pragma: no mutate' needs a reason after it, "
                                "e.g. '# pragma: no mutate — equivalent: the default is never used'")


ONLY_ON = re.compile(r"#\s*mutate:\s*only on\b(?P<rest>.*)$")
ONLY_ON_FORM = re.compile(r"^\s*(?P<vendors>[a-z]+(?:\s*,\s*[a-z]+)*)\s*[—:-]\s*(?P<reason>\S.*)$")
VENDORS = ("sqlite", "postgresql", "mysql", "oracle")  # Django's connection.vendor names


def only_on_lines(relative_file: str, source: str) -> dict[int, tuple[str, ...]]:
    """line -> the database vendors named by its ``# mutate: only on <vendor>[, …] — <reason>``."""
    found: dict[int, tuple[str, ...]] = {}
    for number, line in enumerate(source.splitlines(), start=1):
        match = ONLY_ON.search(line)
        if match is None:
            continue
        form = ONLY_ON_FORM.match(match.group("rest"))
        vendors = tuple(v.strip() for v in form.group("vendors").split(",")) if form else ()
        if form is None or not set(vendors) <= set(VENDORS):
            raise MutationError(f"{relative_file}:{number}: expected '# mutate: only on <database>[, …] — <reason>' "
                                f"with databases among {', '.join(VENDORS)}, e.g. '# mutate: only on postgresql — "
                                "a row lock: SQLite has none'")
        found[number] = vendors
    return found


def _no_line_spans(*args: object, **kwargs: object) -> None:
    return None


_METHOD_KINDS = ("staticmethod", "classmethod")


def _plainly_decorated(function: cst.FunctionDef) -> bool:
    """Decorated, but not as a static or class method (mutmut handles those itself)."""
    return bool(function.decorators) and not any(
        isinstance(d.decorator, cst.Name) and d.decorator.value in _METHOD_KINDS for d in function.decorators)


def _with_decorated_functions(file_mutation: object) -> None:
    """mutmut leaves out every function with a decorator other than @staticmethod or @classmethod, because its
    copies of the function (the original and each mutant) would carry the decorator too: a second route, a
    property where the trampoline calls a function. PRS's views are all decorated (``@extend_schema``,
    ``@action``) and so went unmutated. Here a decorated function gets its mutants like any other; its decorators
    stay on the trampoline, the one name the class and the module see (so they run once, on it, as without
    mutation), and the copies the trampoline calls get none."""
    visitor = file_mutation.MutationVisitor  # type: ignore[attr-defined]
    if getattr(visitor, "_decorated_functions_allowed", False):
        return
    skip = visitor._skip_node_and_children

    def skip_node_and_children(self: object, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.FunctionDef) and _plainly_decorated(node):
            undecorated = node.with_changes(decorators=[])
            # mutmut's checks for an undecorated function: its pragma lines (read off the original node's
            # position, which the copy has none of) and its never-mutated names
            position = self.get_metadata(PositionProvider, node.name, None)  # type: ignore[attr-defined]
            if position and position.start.line in self._ignored_node_lines:  # type: ignore[attr-defined]
                self.ignored_functions.add(node.name.value)  # type: ignore[attr-defined]
                return True
            return skip(self, undecorated)
        return skip(self, node)

    arrangement = file_mutation.function_trampoline_arrangement  # type: ignore[attr-defined]

    def function_trampoline_arrangement(function: cst.FunctionDef, mutants: Iterable[object],
                                        class_name: str | None) -> tuple:
        declarations, methods, assignments, names = arrangement(function, mutants, class_name)
        if _plainly_decorated(function):
            methods = [methods[0], *(method.with_changes(decorators=[]) for method in methods[1:])]
        return declarations, methods, assignments, names

    visitor._skip_node_and_children = skip_node_and_children
    visitor._decorated_functions_allowed = True
    file_mutation.function_trampoline_arrangement = function_trampoline_arrangement  # type: ignore[attr-defined]


def mutate_source(relative_file: str, source: str) -> MutatedModule:
    """Every mutant of one file, and the rewritten code that holds them all."""
    from mutmut.mutation import file_mutation
    from mutmut.mutation.file_mutation import combine_mutations_to_source, create_mutations

    # mutmut re-renders every class to index where each generated function lands (for its own `show` and
    # `apply`); we never read that index, and skipping it saves about a fifth of the generation time.
    file_mutation.collect_line_spans = _no_line_spans
    _with_decorated_functions(file_mutation)
    check_pragmas(relative_file, source)
    only_on = only_on_lines(relative_file, source)

    try:
        module, mutations, ignored_classes, ignored_functions = create_mutations(relative_file, source)
    except cst.ParserSyntaxError as error:
        raise MutationError(f"{relative_file}: not valid Python: {error}") from None
    except Exception as error:  # mutmut's pragma checks raise plain exceptions naming file and line
        raise MutationError(f"{relative_file}: {error}") from None
    mutated = combine_mutations_to_source(module, mutations, ignored_classes, ignored_functions)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    owners = _function_owners(module)
    name = module_name(relative_file)
    lines = source.split("\n")
    counters: dict[cst.FunctionDef, int] = defaultdict(int)
    mutants: list[Mutant] = []
    for mutation in mutations:
        owner = mutation.contained_by_top_level_function
        if owner is None or owner not in owners:
            continue  # module-level code: mutmut makes no trampoline for it
        counters[owner] += 1
        where = positions[mutation.original_node]
        new_code = module.code_for_node(mutation.mutated_node)
        mutants.append(Mutant(
            id=f"{name}.{owners[owner]}__mutmut_{counters[owner]}",
            file=relative_file,
            line=where.start.line,
            end_line=where.end.line,
            operator=OPERATOR_BY_NODE.get(type(mutation.original_node).__name__,
                                          type(mutation.original_node).__name__.lower()),
            diff=_diff(lines, relative_file, (where.start.line, where.start.column),
                       (where.end.line, where.end.column), new_code),
            function=owners[owner],
            only_on=next((only_on[n] for n in range(where.start.line, where.end.line + 1) if n in only_on), ()),
        ))
    expected = {f"{name}.{n}" for n in mutated.mutant_names}
    if expected != {m.id for m in mutants}:
        raise MutationError(f"{relative_file}: mutmut named its mutants differently than expected "
                            "(mutmut version change?)")
    stubs = _protocol_methods(module)
    mutants = [m for m in mutants if m.function not in stubs]  # their trampolines stay, never activated
    return MutatedModule(relative_file, name, privatize(mutated.code), tuple(mutants),
                         hashlib.sha256(source.encode()).hexdigest())


# mutmut's copies of a function (``x_f__mutmut_orig``, ``xǁCǁm__mutmut_3``) look public. Code that treats a
# class's public methods specially (a class decorator wrapping each of them, say) would then also wrap the
# copies, and behave differently under mutation than without it. An underscore makes them private; the
# trampolines' tables keep their keys (strings, which ``set_mutant_under_test`` names).
GENERATED_NAME = re.compile(r"(?<![\w'\"])(x[ǁ_]\w*?__mutmut_(?:orig|\d+))\b")


def privatize(code: str) -> str:
    return GENERATED_NAME.sub(r"_\1", code)


# --- lines: which executed lines stand for a mutant ---------------------------------------------------------

def statement_first_lines(source: str) -> dict[int, int]:
    """line -> the line that runs when it runs: the first line of the innermost statement holding it.

    A function's signature (defaults) runs as its first body statement: that is the line a call executes.
    """
    first: dict[int, int] = {}
    tree = ast.parse(source)
    for node in ast.walk(tree):  # outer statements first; inner ones overwrite their own lines
        if not isinstance(node, ast.stmt):
            continue
        body = getattr(node, "body", None)
        own_end = (body[0].lineno - 1) if isinstance(body, list) and body and isinstance(body[0], ast.stmt) \
            else (node.end_lineno or node.lineno)
        target = node.lineno
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            # A docstring is no executed line (coverage never sees it): the call shows on the next statement.
            opening = node.body[1] if _is_docstring(node.body[0]) and len(node.body) > 1 else node.body[0]
            target = opening.lineno
        for line in range(node.lineno, own_end + 1):
            first[line] = target
    return first


def _is_docstring(statement: ast.stmt) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))


def original_function_lines(source: str) -> dict[str, int]:
    """Mangled function name -> the line of its ``def`` in the original source."""
    result: dict[str, int] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            result[_mangled(node.name, None)] = node.lineno
        elif isinstance(node, ast.ClassDef):
            for method in node.body:
                if isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
                    result[_mangled(method.name, node.name)] = method.lineno
    return result


def copy_offsets(mutated_code: str) -> dict[str, tuple[int, int]]:
    """Mangled function name -> (def line, end line) of mutmut's unmutated copy (``<name>__mutmut_orig``)."""
    spans: dict[str, tuple[int, int]] = {}

    def visit(nodes: Iterable[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.endswith("__mutmut_orig"):
                mangled = node.name.removesuffix("__mutmut_orig").removeprefix("_")  # see privatize()
                spans[mangled] = (node.lineno, node.end_lineno or node.lineno)
            elif isinstance(node, ast.ClassDef):
                visit(node.body)

    visit(ast.parse(mutated_code).body)
    return spans
