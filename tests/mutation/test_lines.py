"""Which executed line stands for a mutant's line: a call shows on the function's first executed statement."""
from __future__ import annotations

from support.mutation.mutants import statement_first_lines

SOURCE = '''\
def described(a,
              b="x"):
    """A docstring is no executed line."""
    return a


def plain(a, b=1):
    return a
'''


def test_a_signature_maps_to_the_first_statement_after_the_docstring() -> None:
    lines = statement_first_lines(SOURCE)
    assert lines[1] == lines[2] == lines[4] == 4  # defaults on a continuation line count when a call runs
    assert lines[7] == 8


PROTOCOL = '''\
from typing import Protocol


class Greeter(Protocol):
    def greet(self, name: str = "you") -> str: ...


class Loud:
    def greet(self, name: str = "you") -> str:
        return name.upper()
'''


def test_a_protocols_stubs_get_no_mutants() -> None:
    from support.mutation.mutants import mutate_source

    functions = {m.function for m in mutate_source("greeting.py", PROTOCOL).mutants}
    assert functions and all("Loud" in f for f in functions), functions


LOCKED = '''\
def for_update(rows):
    return rows.select_for_update(of=("self",))  # mutate: only on postgresql — a row lock: SQLite has none


def plain(a):
    return a + 1
'''


def test_a_line_marked_for_one_database_keeps_its_mutants_marked_with_it() -> None:
    from support.mutation.mutants import mutate_source

    mutants = mutate_source("app/locks.py", LOCKED).mutants
    assert {m.only_on for m in mutants if m.line == 2} == {("postgresql",)}
    assert {m.only_on for m in mutants if m.line == 6} == {()}


def test_a_marker_without_a_known_database_or_a_reason_is_an_error_naming_the_line() -> None:
    import pytest

    from support.mutation.mutants import MutationError, mutate_source

    for marker in ("# mutate: only on postgres — typo", "# mutate: only on postgresql"):
        with pytest.raises(MutationError, match=r"app/locks.py:2: expected '# mutate: only on <database>"):
            mutate_source("app/locks.py", LOCKED.replace("# mutate: only on postgresql — a row lock: SQLite has none",
                                                         marker))


DECORATED = '''\
CALLS = []


def registered(function):
    CALLS.append(function.__name__)
    function.registered = True
    return function


class Shop:
    @registered
    def price(self, amount):
        return amount + 1

    @property
    def name(self):
        return "shop"
'''


def test_a_decorated_function_gets_mutants_its_decorator_running_once_on_the_public_name(tmp_path, monkeypatch) -> None:
    """mutmut leaves out functions with decorators (copies would carry them: a second route, a property the
    trampoline calls); ours mutate them, the decorator on the trampoline only (PRS's views are all decorated)."""
    import importlib
    import sys

    from mutmut.mutation.trampoline import set_mutant_under_test

    from support.mutation.mutants import mutate_source

    monkeypatch.setenv("MUTANT_UNDER_TEST", "")  # set_mutant_under_test writes it: restored after the test
    mutated = mutate_source("shop.py", DECORATED)
    by_function = {m.function for m in mutated.mutants}
    assert {"xǁShopǁprice", "xǁShopǁname"} <= by_function
    (tmp_path / "shop.py").write_text(mutated.code)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "shop", raising=False)
    try:
        shop = importlib.import_module("shop")
        assert shop.CALLS == ["price"], "the decorator ran on a copy as well"
        assert shop.Shop.price.registered and shop.Shop().price(1) == 2 and shop.Shop().name == "shop"
        for mutant in mutated.mutants:
            if mutant.function == "xǁShopǁprice" and "amount - 1" in mutant.diff:
                set_mutant_under_test(mutant.id)
                assert shop.Shop().price(1) == 0, "the mutant of the decorated method never ran"
                break
        else:
            raise AssertionError(f"no `amount - 1` mutant among {[m.diff for m in mutated.mutants]}")
    finally:
        set_mutant_under_test(None)
        sys.modules.pop("shop", None)
