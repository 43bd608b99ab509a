@scenario:api_integration @api @depends_on:complete_sales_workflow @allure.label.epic:Integration
Feature: The REST API
  Integrators reach every part of PRS through its REST API, under the same rules as the services,
  with answers that tell them what went wrong.

  Background:
    Given the organization "Acme" with a salesperson "sam", a verifier "vera" and an admin "alice"

  @rule:SEC-01 @rule:API-01
  Scenario Outline: Every list is closed to anonymous callers
    When an anonymous caller asks for the <resource> list
    Then the caller is told to authenticate first

    Examples:
      | resource      |
      | clients       |
      | deals         |
      | payments      |
      | commissions   |
      | notifications |
      | audit-logs    |

  @critical @rule:SEC-06 @rule:SEC-03
  Scenario: A salesperson signs in and sees the organization's deals
    Given "sam" has made 3 deals
    When "sam" signs in with the right password
    And "sam" asks for the deals list
    Then the answer lists 3 deals, all of "Acme"

  @rule:SEC-06
  Scenario: A failed sign-in is refused without saying why
    When "sam" signs in with a wrong password
    Then the sign-in is refused

  @rule:SEC-06
  Scenario Outline: A sign-in with <what> is refused as <outcome>
    When a sign-in for "sam" arrives with <what>
    Then that sign-in is refused as <outcome>

    Examples:
      | what                           | outcome                          |
      | an email of 254 characters     | a wrong email or password        |
      | an email of 255 characters     | invalid, naming the email        |
      | no email                       | invalid, naming the email        |
      | a password of 4096 characters  | a wrong email or password        |
      | a password of 4097 characters  | invalid, naming the password     |
      | no password                    | invalid, naming the password     |

  @rule:SEC-06
  Scenario: A password is taken exactly as typed, spaces included
    Given "sam" has chosen a password that begins and ends with a space
    When "sam" signs in with that password
    Then "sam" is signed in

  @rule:API-03
  Scenario: Long lists come a page at a time
    Given "sam" has recorded 30 clients
    When "sam" asks for the clients list
    Then the page lists 25 clients and says there are 30 in all
    And the next page lists 5 clients

  Scenario: Lists can be narrowed down
    Given "sam" has made 3 deals
    And the first of those deals is paid in full
    When "sam" asks for the deals list of deals that are "not_paid"
    Then the answer lists 2 deals

  @rule:API-01 @rule:API-02 @rule:DEAL-05 @rule:DEAL-06 @rule:DEAL-08
  Scenario Outline: A bad deal is refused, naming the field at fault
    Given "sam" has recorded the client "Northwind Traders"
    When "sam" submits a deal for "Northwind Traders" with <field> set to "<value>"
    Then the submission is refused as invalid, naming "<field>"

    Examples:
      | field          | value      |
      | value          | -5.00      |
      | value          | 0          |
      | value          | abc        |
      | value          | 1000000000 |
      | due_date       | 2000-01-01 |
      | payment_method | barter     |
      | client         | 999999     |

  Scenario: A verifier approves a payment through the API
    Given "sam" has recorded the client "Northwind Traders"
    And "sam" has made a deal of 700.00 with "Northwind Traders"
    And "sam" has recorded a bank payment of 700.00 on that deal
    When "vera" approves that payment through the API
    Then the answer shows the payment "approved"
    And the deal is "fully_paid" with a progress of 100.00 percent

  @rule:PAY-11 @rule:API-02
  Scenario: A second approval through the API is a conflict
    Given "sam" has recorded the client "Northwind Traders"
    And "sam" has made a deal of 700.00 with "Northwind Traders"
    And "sam" has recorded a bank payment of 700.00 on that deal
    And "vera" has approved that payment through the API
    When "vera" approves that payment through the API
    Then the answer is a conflict

  @rule:API-06
  Scenario: A stale change is a conflict
    Given "sam" has recorded the client "Northwind Traders"
    And "sam" and "alice" have both opened "Northwind Traders"
    When "alice" saves a new phone number for "Northwind Traders"
    And "sam" saves a new name for "Northwind Traders" from what he opened
    Then the answer is a conflict
    And "Northwind Traders" keeps the phone number "alice" saved

  @rule:API-09
  Scenario: The API describes itself
    When a developer fetches the API description
    Then it is a valid OpenAPI 3 description of every endpoint with its error answers

  @timeout:60
  Scenario: PRS answers over the network
    Given "sam" has made 2 deals
    And PRS is serving on a local port
    When "sam" signs in over the network and asks for the deals list
    Then the answer lists 2 deals, all of "Acme"
