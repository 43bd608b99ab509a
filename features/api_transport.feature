@scenario:api_transport @api @allure.label.epic:Integration
Feature: What the API takes in and what it gives back
  The API takes JSON objects only, never lets a request set what PRS owns, and answers every failure with
  one error body that names its cause.

  Background:
    Given the organization "Acme" with a salesperson "sam", a verifier "vera" and an admin "alice"
    And the organization "Globex" with a salesperson "gus", a verifier "gia" and an admin "gail"
    And "sam" has made a deal of 1000.00 with his client "Northwind"

  @rule:API-05 @rule:API-01
  Scenario Outline: A new client sent as <body> is refused
    When "sam" sends a new client as <body>
    Then the answer is <status> "<error code>" with the one error body

    Examples:
      | body                   | status | error code             |
      | a form                 | 415    | unsupported_media_type |
      | malformed JSON         | 400    | parse_error            |
      | JSON nested too deeply | 400    | parse_error            |

  @rule:API-05 @rule:API-01
  Scenario Outline: A new client sent as <body> is refused as not an object of fields
    When "sam" sends a new client as <body>
    Then the answer is 400 "validation_error" with the one error body, naming non_field_errors
    And the refusal says "Expected a JSON object."

    Examples:
      | body          |
      | a JSON list   |
      | a JSON number |

  @rule:API-01 @rule:API-02
  Scenario Outline: A refusal for <cause> answers <status> "<error code>" naming <field>
    When "<user>" tries through the API to <action>
    Then the answer is <status> "<error code>" with the one error body, naming <field>

    Examples:
      | cause                 | user | action                                         | status | error code       | field            |
      | a missing role        | sam  | delete the client "Northwind"                  | 403    | forbidden        | non_field_errors |
      | a missing object      | sam  | read the deal of another organization          | 404    | not_found        | non_field_errors |
      | a deal with payments  | alice | delete the client "Northwind"                 | 409    | conflict         | non_field_errors |

  @rule:API-01 @rule:TRX-05
  Scenario: A bug inside PRS answers as a server error that gives nothing away, and the operators are told
    Given the audit trail has a bug that breaks every write
    When "sam" submits a new client with name "Fabrikam"
    Then the answer is 500 "server_error" with the one error body
    And the answer gives nothing of the bug away
    And "Acme" has 1 clients
    And the operators are told where the bug struck, with its details

  @rule:API-10
  Scenario: A new deal ignores the fields PRS owns
    When "sam" submits a new deal that also names its salesperson, number, statuses, progress and organization
    Then the new deal is sold by "sam", numbered "DLID0002", pending, not paid at 0.00 percent, in "Acme"

  @rule:API-10
  Scenario: A new payment ignores the fields PRS owns
    When "sam" records a payment on that deal that also names its status, recorder, number and invoice
    Then the new payment is pending, recorded by "sam", numbered "TXN-0001" with the invoice "INV-0001"

  @rule:API-10 @rule:COM-01
  Scenario: A commission's computed figures are PRS's own
    Given "sam" has approved sales of 1000.00 this month
    When "alice" calculates the commission of "sam" naming its own sales of 5000.00 and amount of 999.00
    Then the new commission counts sales of 1000.00 and a commission of 50.00
