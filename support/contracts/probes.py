"""Error conditions as typed probes: a small vocabulary of standard probes, and custom ones that build a call.

The standard probes are generated for every service from its `expected_inputs` (support/contracts/probing.py):

  missing_required_fields  each required input left out (a data key dropped, a parameter passed as None)
  invalid_data             wrong types, empty strings, out-of-range numbers
  invalid_id               an unknown id, a negative one, one of the wrong type

A contract may still list the seed's strings in `error_conditions`; they map to these probes through one
table (`probe_for`), never by looking for words in them: "Missing required fields" is missing_required_fields,
"Invalid data" is invalid_data, "Invalid client_id" is invalid_id restricted to the input `client_id`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from support.contracts.calls import CallSource, is_id_name

MISSING_REQUIRED_FIELDS_KIND = "missing_required_fields"
INVALID_DATA_KIND = "invalid_data"
INVALID_ID_KIND = "invalid_id"
CUSTOM_KIND = "custom"
STANDARD_KINDS = (INVALID_DATA_KIND, MISSING_REQUIRED_FIELDS_KIND, INVALID_ID_KIND)


@dataclass(frozen=True)
class Probe:
    """A typed error condition. `name` is its key in error_conditions and in the report.

    Standard probes may be narrowed to some `inputs` and `methods`; a custom probe has a `call` that builds
    the provoking call (given the contract's shared fixture when it takes an argument)."""

    kind: str
    name: str = ""
    inputs: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    call: CallSource | None = None

    def __post_init__(self) -> None:
        if self.kind not in (*STANDARD_KINDS, CUSTOM_KIND):
            raise ValueError(f"unknown probe kind {self.kind!r}: one of {', '.join((*STANDARD_KINDS, CUSTOM_KIND))}")
        if self.kind == CUSTOM_KIND and (self.call is None or not self.name):
            raise ValueError("a custom probe needs a name and a call")
        if self.kind != CUSTOM_KIND and self.call is not None:
            raise ValueError(f"a standard probe ({self.kind}) is generated: it takes no call")
        if not self.name:
            object.__setattr__(self, "name", self.kind)

    def applies_to(self, method: str, input_name: str | None = None) -> bool:
        if self.methods and method not in self.methods:
            return False
        return not (self.inputs and input_name is not None and input_name not in self.inputs)


MISSING_REQUIRED_FIELDS = Probe(MISSING_REQUIRED_FIELDS_KIND)
INVALID_DATA = Probe(INVALID_DATA_KIND)
INVALID_ID = Probe(INVALID_ID_KIND)
STANDARD_PROBES = (INVALID_DATA, MISSING_REQUIRED_FIELDS, INVALID_ID)


def missing(*inputs: str, methods: tuple[str, ...] = ()) -> Probe:
    return Probe(MISSING_REQUIRED_FIELDS_KIND, inputs=inputs, methods=methods)


def invalid(*inputs: str, methods: tuple[str, ...] = ()) -> Probe:
    return Probe(INVALID_DATA_KIND, inputs=inputs, methods=methods)


def invalid_id(*inputs: str, methods: tuple[str, ...] = ()) -> Probe:
    return Probe(INVALID_ID_KIND, inputs=inputs, methods=methods)


def custom(name: str, call: CallSource) -> Probe:
    return Probe(CUSTOM_KIND, name=name, call=call)


# The seed's words for its conditions, normalized (lower case, runs of other characters as "_").
_SEED_NAMES = {
    "missing_required_fields": MISSING_REQUIRED_FIELDS,
    "missing_fields": MISSING_REQUIRED_FIELDS,
    "invalid_data": INVALID_DATA,
    "invalid_input": INVALID_DATA,
    "invalid_id": INVALID_ID,
}


def condition_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def probe_for(condition: str, inputs: set[str]) -> Probe | None:
    """The standard probe a condition written as text stands for, or None.

    Besides the table, `Invalid <input>` / `Missing <input>` name one of the contract's declared `inputs`:
    an id-like input (`client_id`) gives invalid_id on it, another one invalid_data, `Missing …` the
    missing_required_fields probe on that input."""
    key = condition_key(condition)
    if key in _SEED_NAMES:
        return _SEED_NAMES[key]
    prefix, _, rest = key.partition("_")
    if rest in inputs and prefix == "invalid":
        return invalid_id(rest) if is_id_name(rest) else invalid(rest)
    if rest in inputs and prefix == "missing":
        return missing(rest)
    return None
