@scenario:hardening @security @api @allure.label.epic:Security
Feature: PRS holds against a careless client and a curious insider
  A probe of PRS, as an attacker and a careless client would try it, found holes that no scenario noticed.
  Each rule below keeps one of them closed.

  Background:
    Given the organization "Acme" with a salesperson "sam", a verifier "vera" and an admin "alice"
    And "sam" has recorded the client "Northwind Traders"

  @rule:COM-05 @rule:SEC-05 @critical
  Scenario Outline: A salesperson cannot set the <term> of his own commission
    When "sam" calculates his own commission for this month with a <term> of <value>
    Then he is refused for lack of role, naming the <term>
    And "sam" has no commission

    Examples:
      | term          | value        |
      | rate          | 100          |
      | exchange rate | 999999       |
      | bonus         | 999999999.99 |
      | penalty       | 1.00         |

  @rule:COM-05
  Scenario: A salesperson's own commission follows the organization's rate and the provider's exchange rate
    Given "sam" has approved sales of 2000.00 this month
    When "sam" calculates his own commission for this month in "EUR"
    Then his commission is worked out at the rate 5.00 and the exchange rate 0.92, making 92.00

  @rule:COM-13
  Scenario: A commission too large to be stored is refused, naming the figure
    Given "sam" has approved sales of 999999999.99 this month
    When "alice" calculates the commission of "sam" for this month with:
      | rate | exchange rate |
      | 100  | 999999        |
    Then the calculation is refused as invalid, naming the commission amount
    And "sam" has no commission

  @rule:COM-13
  Scenario: A change that would push a commission beyond what can be stored is refused, naming the figure
    Given "sam" has approved sales of 999999999.99 this month
    And "alice" has set the commission of "sam" for this month at a rate of 100 and an exchange rate of 1
    When "alice" changes the exchange rate of that commission to "999999"
    Then that submission is refused as invalid, naming commission amount

  @rule:COM-13
  Scenario: An approval that would push a commission beyond what can be stored changes nothing
    Given "alice" has set the commission of "sam" for this month at a rate of 100 and an exchange rate of 999999
    And "sam" has made a deal of 999999999.99 with "Northwind Traders"
    And "sam" has recorded a bank payment of 999999999.99 on that deal
    When "vera" approves that payment through the API
    Then the answer is a conflict naming the commission amount
    And the payment stays "pending"
    And the commissions of "sam" can still be read

  @rule:COM-12
  Scenario: A decision that changes no figure of a commission leaves the commission untouched
    Given "sam" has approved sales of 1000.00 this month
    And "alice" has calculated the commission of "sam" for this month
    And "sam" has made a deal of 500.00 with "Northwind Traders"
    And "sam" has recorded a bank payment of 100.00 on that deal
    When "vera" rejects that payment
    Then the commission of "sam" for this month is still as first calculated, with nothing more in its history
    And "sam" is not notified that the commission changed

  @rule:COM-14
  Scenario: During an outage of the exchange-rate provider PRS soon stops calling it, and says so
    Given the exchange-rate provider PRS is configured with is down
    When "alice" asks for 4 commissions of "sam" in "EUR", one request after another
    Then each is refused as unavailable
    And the provider was called only until the circuit opened, not by the later requests
    And the operators are told the circuit opened

  @rule:API-07
  Scenario: A request larger than PRS accepts is refused as too large
    When "sam" sends a new client record larger than PRS accepts
    Then he is told the request is too large, in the API's error form
    And "Acme" has 1 clients

  @rule:API-08
  Scenario Outline: An address whose id is "<id>" is answered as not found, in the API's error form
    When "alice" asks for the deal at the address with the id "<id>"
    Then she is told it does not exist, in the API's error form

    Examples:
      | id  |
      | abc |
      | 1.5 |
      | 1_0 |
      | １２  |

  @rule:API-08
  Scenario Outline: An amount written <how> is <outcome>
    Given "sam" has made a deal of 5000.00 with "Northwind Traders"
    When "sam" submits a new payment on that deal with amount "<amount>"
    Then that submission is <outcome>

    Examples:
      | how                      | amount                  | outcome                       |
      | plainly                  | 1000.00                 | accepted                      |
      | with a digit separator   | 1_000                   | refused as invalid, naming it |
      | in full-width digits     | １０００                    | refused as invalid, naming it |
      | in scientific notation   | 1e3                     | refused as invalid, naming it |
      | with a leading plus sign | +1000                   | refused as invalid, naming it |
      | with spaces around it    | 1000.00, between spaces | refused as invalid, naming it |

  @rule:SEC-08 @slow
  Scenario: A failed sign-in takes as long for an unknown email as for a known one
    Given passwords are kept as in production
    When failed sign-ins are timed for "sam" and for an email nobody has
    Then both take about the same time

  @rule:SEC-09
  Scenario: A locked-out user keeps the session he already had
    Given "sam" has signed in
    When someone fails to sign in as "sam" 5 times
    Then "sam" cannot sign in, even with the right password
    But "sam" still reaches the deals list with the session he had

  @rule:API-09 @slow @timeout:600
  Scenario: The published API description agrees with the API
    When the whole API is exercised from its description, with valid and invalid requests and every check
    Then no disagreement between the description and the API is found
