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
