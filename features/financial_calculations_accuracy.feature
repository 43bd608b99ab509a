@scenario:financial_calculations_accuracy @financial @core @depends_on:complete_sales_workflow
@allure.label.epic:Finance
Feature: Financial calculations are exact
  Money is counted in exact decimals with two places, rounded half-up to the cent.
  A deal's progress follows its approved payments; commissions follow the rules of the organization.

  Background:
    Given the organization "Acme" with a salesperson "sam", a verifier "vera" and an admin "alice"
    And "sam" has recorded the client "Northwind Traders"

  @critical @rule:COM-01
  Scenario Outline: Commission is rounded half-up to the cent
    Given "sam" has approved sales of <sales> this month
    When "alice" calculates the commission of "sam" for this month with:
      | rate   | exchange rate   | bonus   | penalty   |
      | <rate> | <exchange rate> | <bonus> | <penalty> |
    Then the commission is <commission>, its total <total> and the receivable <receivable>

    Examples: half-cent boundaries
      | sales   | rate  | exchange rate | bonus | penalty | commission | total | receivable |
      | 100.10  | 5.00  | 1             | 0.00  | 0.00    | 5.01       | 5.01  | 5.01       |
      | 100.30  | 5.00  | 1             | 0.00  | 0.00    | 5.02       | 5.02  | 5.02       |
      | 0.10    | 5.00  | 1             | 0.00  | 0.00    | 0.01       | 0.01  | 0.01       |
      | 0.09    | 5.00  | 1             | 0.00  | 0.00    | 0.00       | 0.00  | 0.00       |

    Examples: rate, exchange rate, bonus and penalty
      | sales   | rate  | exchange rate | bonus | penalty | commission | total  | receivable |
      | 1000.00 | 2.50  | 1.5           | 10.00 | 3.00    | 37.50      | 47.50  | 44.50      |
      | 1234.56 | 7.25  | 0.85          | 0.00  | 12.34   | 76.08      | 76.08  | 63.74      |
      | 999.99  | 0.00  | 1             | 50.00 | 0.00    | 0.00       | 50.00  | 50.00      |

  @rule:COM-09
  Scenario: The organization's default rate applies when none is given
    Given "sam" has approved sales of 2000.00 this month
    When "alice" calculates the commission of "sam" for this month
    Then the commission is 100.00, its total 100.00 and the receivable 100.00

  @rule:DEAL-13
  Scenario Outline: Partial payments move the deal's progress
    Given "sam" has made a deal of <value> with "Northwind Traders"
    When payments of <amounts> on that deal are approved
    Then the deal is "<status>" with a progress of <progress> percent

    Examples:
      | value   | amounts         | status         | progress |
      | 1000.00 | 250.00          | partially_paid | 25.00    |
      | 1000.00 | 250.00, 750.00  | fully_paid     | 100.00   |
      | 3.00    | 1.00            | partially_paid | 33.33    |
      | 3.00    | 2.00            | partially_paid | 66.67    |
      | 0.30    | 0.10, 0.20      | fully_paid     | 100.00   |
      | 800.00  | 1.00            | partially_paid | 0.13     |

  @critical @rule:PAY-02
  Scenario Outline: A deal is never overpaid
    Given "sam" has made a deal of 1000.00 with "Northwind Traders"
    And "sam" has recorded a bank payment of 600.00 on that deal, which was <earlier decision>
    When "sam" records a bank payment of <amount> on that deal
    Then the payment is <outcome>

    Examples:
      | earlier decision | amount  | outcome                                                |
      | left pending     | 400.00  | accepted                                               |
      | left pending     | 400.01  | refused as an overpayment, 400.00 of 1000.00 remaining |
      | approved         | 400.01  | refused as an overpayment, 400.00 of 1000.00 remaining |
      | rejected         | 1000.00 | accepted                                               |

  @rule:COM-11
  Scenario: A commission follows the approvals of its period
    Given "sam" has made a deal of 5000.00 with "Northwind Traders"
    And "sam" has recorded a bank payment of 1000.00 on that deal
    And "alice" has calculated the commission of "sam" for this month
    When "vera" approves that payment for its full amount
    Then "sam" has a commission of 50.00 for this month
    And "sam" is notified that the commission changed

  @rule:PAY-12 @rule:DEAL-13
  Scenario: A verifier may approve less than was paid
    Given "sam" has made a deal of 1000.00 with "Northwind Traders"
    And "sam" has recorded a bank payment of 500.00 on that deal
    When "vera" approves that payment for 450.00
    Then the deal is "partially_paid" with a progress of 45.00 percent
