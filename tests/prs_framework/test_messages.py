"""The message catalogue (docs/messages.md, support/prs/messages.py): parsed and validated with file:line errors,
templates matching PRS's real sentences and nothing a mutant or a careless edit makes of them."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from support.prs.messages import (
    CatalogueError,
    assert_known_body,
    assert_known_errors,
    assert_known_message,
    assert_known_result,
    catalogue,
    compile_template,
    injected_failure,
    parse_catalogue,
)

HEAD = "# Messages\n\n## Finding things\n\n| Message | Field | When |\n| --- | --- | --- |\n"
SMALL = HEAD + (
    "| `Client {id} not found.` | non_field_errors | no such client |\n"
    "| `Only organization admins delete clients.` | non_field_errors | a salesperson deletes one |\n"
    "\n## Conflicts\n\n| Message | Field | When |\n| --- | --- | --- |\n"
    "| `Stale version {given}: the object was changed meanwhile (now version {current}).` | version | stale |\n"
    "| `{error_code}: {errors}` | dependency | a collaborator failed |\n"
)


@pytest.fixture
def small():
    return parse_catalogue(SMALL, "messages.md")


def test_rows_areas_and_lines(small):
    assert [(t.text, t.area, t.line) for t in small.templates][:2] == [
        ("Client {id} not found.", "Finding things", 7),
        ("Only organization admins delete clients.", "Finding things", 8),
    ]
    assert small.templates[2].area == "Conflicts" and len(small) == 4


@pytest.mark.parametrize(("row", "error"), [
    ("| `Client {id} not found.` | x |", r"messages.md:7: expected 3 cells"),
    ("| Client {id} not found. | x | y |", r"messages.md:7: the message must be one `quoted` template"),
    ("| `` | x | y |", r"messages.md:7: the message must be one `quoted` template"),
    ("| ` Client.` | x | y |", r"messages.md:7: the message ' Client.' starts or ends with a space"),
    ("| `Client.` | x | |", r"messages.md:7: say when PRS answers 'Client.'"),
    ("| `Client.` | x | y", r"messages.md:7: a table row must end with '\|'"),
    ("| `Client { id } not found.` | x | y |", r"messages.md:7: unknown placeholder syntax near '\{ id \}"),
    ("| `Client {} not found.` | x | y |", r"messages.md:7: unknown placeholder syntax"),
    ("| `Client {Id} not found.` | x | y |", r"messages.md:7: unknown placeholder syntax"),
    ("| `Client {{id}} not found.` | x | y |", r"messages.md:7: unknown placeholder syntax"),
    ("| `Client {id not found.` | x | y |", r"messages.md:7: unknown placeholder syntax"),
])
def test_a_malformed_row_names_file_and_line(row, error):
    with pytest.raises(CatalogueError, match=error):
        parse_catalogue(HEAD + row + "\n", "messages.md")


def test_a_duplicate_names_both_lines():
    with pytest.raises(CatalogueError, match=r"messages.md:8: 'Client \{id\} not found.' is already listed at "
                                             r"messages.md:7"):
        parse_catalogue(HEAD + "| `Client {id} not found.` | a | b |\n" * 2, "messages.md")


def test_a_table_outside_an_area_or_without_its_header_is_refused():
    with pytest.raises(CatalogueError, match=r"messages.md:1: a table row outside an area"):
        parse_catalogue("| Message | Field | When |\n", "messages.md")
    with pytest.raises(CatalogueError, match=r"messages.md:2: expected the header"):
        parse_catalogue("## Area\n| Text | Field | When |\n", "messages.md")
    with pytest.raises(CatalogueError, match=r"messages.md: no messages found"):
        parse_catalogue("# Nothing here\n", "messages.md")


@pytest.mark.parametrize("message", [
    "Client 5 not found.",
    "Client 2000000000 not found.",
    "Only organization admins delete clients.",
    "Stale version 1: the object was changed meanwhile (now version 2).",
    "dependency_unavailable: {'non_field_errors': ['record failed (injected)']}",
])
def test_known_messages_match_with_real_values(small, message):
    assert small.find(message) is not None
    assert_known_message(message, "GET /api/clients/5/", small)


@pytest.mark.parametrize("message", [
    "XXClient 5 not found.XX",  # mutmut's "XX…XX" of the label "Client"
    "XXClient XX5 not found.",
    "CLIENT 5 NOT FOUND.",  # … and its upper- and lower-cased strings
    "client 5 not found.",
    "XXOnly organization admins delete clients.XX",
    "ONLY ORGANIZATION ADMINS DELETE CLIENTS.",
    "only organization admins delete clients.",
    "Client  not found.",  # a placeholder matches non-empty text only
    "Client 5 not found",
    "Client 5 not found.\n",
    "None",
    # a collaborator's failure is an error code and a mapping, not any text with a colon in it
    "organization 1: entry 5: XXcontent does not match entry_hashXX",
    "Validation_Error: {'x': ['y']}",
])
def test_changed_messages_do_not_match(small, message):
    assert small.find(message) is None


def test_an_unknown_message_fails_naming_the_text_where_and_the_catalogue(small):
    with pytest.raises(AssertionError) as failure:
        assert_known_message("XXClient 5 not found.XX", "GET /api/clients/5/ → 404 (detail)", small)
    assert str(failure.value) == (
        "GET /api/clients/5/ → 404 (detail) answered a message that is not in messages.md: 'XXClient 5 not found.XX'"
        " — a changed sentence, or a new one to review and add to messages.md")
    with pytest.raises(AssertionError, match=r"answered None where a message belongs \(see messages.md\)"):
        assert_known_message(None, "a service refusal", small)


def test_bodies_and_results_check_every_message(small):
    good = {"error_code": "not_found", "detail": "Client 5 not found.",
            "errors": {"non_field_errors": ["Client 5 not found."]}}
    assert_known_body(good, "GET /api/clients/5/", small)
    with pytest.raises(AssertionError, match=r"\(detail\) answered .*'Client 5 could not be found.'"):
        assert_known_body({**good, "detail": "Client 5 could not be found."}, "GET /api/clients/5/", small)
    with pytest.raises(AssertionError, match=r"\(errors\) answered .*'XXClient 5 not found.XX'"):
        assert_known_body({**good, "errors": {"a": ["Client 5 not found."], "b": [["XXClient 5 not found.XX"]]}},
                          "GET /api/clients/5/", small)
    refused = SimpleNamespace(success=False, error_code="forbidden", errors={"non_field_errors": [None]})
    with pytest.raises(AssertionError, match=r"a service refusal \(forbidden\) answered None"):
        assert_known_result(refused, "a service refusal", small)
    assert_known_result(SimpleNamespace(success=True, errors={}), "a service call", small)
    assert_known_errors({"non_field_errors": [injected_failure("recalculate_for_payment")]}, "a double", small)


def test_compiled_templates_are_full_matches():
    pattern = compile_template("Would overpay deal {deal_id}: {remaining} of {value} remains.")
    assert pattern.fullmatch("Would overpay deal DLID0001: 250.00 of 1000.00 remains.")
    assert not pattern.fullmatch("Would overpay deal DLID0001: 250.00 of 1000.00 remains. Really.")


def test_the_repository_catalogue_knows_prs_sentences():
    known = catalogue()
    assert len(known) > 100 and catalogue() is known  # read once
    for message in ("Client 5 not found.", "Audit entry 7 not found.", "Invalid email or password.",
                    "Too many failed logins: locked for up to 15 minutes.", "audit entries are append-only",
                    "Only verifiers and organization admins approve payments.",
                    "Only verifiers and organization admins reject payments.",
                    "Segregation of duties: you recorded this payment, so someone else must reject it.",
                    "Method \"PATCH\" not allowed.", "'gold' is not one of wallet, bank, cheque, cash.",
                    "At most 200 characters (got 201).", "Must be greater than 0."):
        assert known.find(message) is not None, message
    for changed in ("XXClient XX5 not found.", "Only verifiers and organization admins XXapproveXX payments.",
                    "At most 201 characters (got 202).", "AUDIT ENTRIES ARE APPEND-ONLY"):
        assert known.find(changed) is None, changed


def test_the_repository_catalogue_agrees_with_what_prs_answers(services, make_org, make_user):
    """A few refusals of the real services, each named in the catalogue (the acceptance suite checks them all)."""
    org = make_org()
    salesperson = make_user(org, "salesperson")
    results = [services["client_service"].get(salesperson, 2_000_000_000),
               services["client_service"].create(salesperson, {"name": "", "email": "x", "phone": "12"}),
               services["audit_service"].list(salesperson)]
    for result in results:
        assert not result.success
        assert_known_result(result, "a service refusal")
