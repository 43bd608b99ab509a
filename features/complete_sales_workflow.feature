@scenario:complete_sales_workflow @workflow @core @allure.label.epic:Sales
Feature: Complete sales workflow
  A salesperson records a client, a deal and its payments; a verifier decides on each payment.
  PRS itself issues the invoices, keeps the deal's payment status, calculates the commission,
  tells the people concerned and writes the audit trail.

  Background:
    Given the organization "Acme" with a salesperson "sam", a verifier "vera" and an admin "alice"
    And "sam" has recorded the client "Northwind Traders"

  @critical @max_queries:600 @rule:DEAL-13 @rule:PAY-08
  Scenario: A deal is paid in full through one approved payment
    Given "sam" has made a deal of 10000.00 with "Northwind Traders"
    When "sam" records a bank payment of 10000.00 on that deal
    And "vera" approves that payment for its full amount
    And "alice" calculates the commission of "sam" for this month
    Then the deal is "fully_paid" with a progress of 100.00 percent
    And the payment has an invoice for 10000.00
    And "sam" has a commission of 500.00 for the month of the payment

  @rule:AUD-01
  Scenario: Each step of the workflow leaves its trace in the audit trail
    Given "sam" has made a deal of 2500.00 with "Northwind Traders"
    When "sam" records a bank payment of 2500.00 on that deal
    And "vera" approves that payment for its full amount
    And "alice" calculates the commission of "sam" for this month
    Then the audit trail of "Acme" shows, in order, these actions:
      | action    | object     |
      | create    | client     |
      | create    | deal       |
      | create    | payment    |
      | create    | invoice    |
      | approve   | payment    |
      | calculate | commission |
    And the audit trail of "Acme" is intact

  @rule:NOT-01 @rule:NOT-02 @rule:NOT-03 @rule:NOT-04
  Scenario: The people concerned are told at each step
    Given "sam" has made a deal of 800.00 with "Northwind Traders"
    When "sam" records a bank payment of 800.00 on that deal
    And "vera" approves that payment for its full amount
    And "alice" calculates the commission of "sam" for this month
    Then these notifications have been sent:
      | recipient | kind                  |
      | alice     | deal_created          |
      | vera      | payment_recorded      |
      | sam       | payment_approved      |
      | sam       | commission_calculated |

  @rule:DEAL-13
  Scenario: A rejected payment does not count towards the deal
    Given "sam" has made a deal of 1000.00 with "Northwind Traders"
    When "sam" records a cheque payment of 1000.00 on that deal
    And "vera" rejects that payment because of "cheque_bounce"
    Then the deal is "not_paid" with a progress of 0.00 percent
    And "sam" is notified that the payment was rejected

  @rule:PAY-11
  Scenario Outline: A payment decision is final
    Given "sam" has made a deal of 1000.00 with "Northwind Traders"
    And "sam" has recorded a bank payment of 400.00 on that deal
    When "vera" <first> that payment
    And "vera" <second> that payment
    Then the second decision is refused as a conflict
    And the payment stays "<status>"

    Examples:
      | first    | second   | status   |
      | approves | rejects  | approved |
      | rejects  | approves | rejected |
      | approves | approves | approved |
      | rejects  | rejects  | rejected |

  @rule:DEAL-11
  Scenario Outline: A deal's verification moves only forward
    Given "sam" has made a deal of 1000.00 with "Northwind Traders"
    And the deal's verification is "<from>"
    When "vera" sets the deal's verification to "<to>"
    Then the change is <outcome>

    Examples:
      | from     | to       | outcome  |
      | pending  | verified | accepted |
      | pending  | rejected | accepted |
      | verified | rejected | accepted |
      | verified | pending  | refused  |
      | rejected | verified | refused  |
      | rejected | pending  | refused  |

  @rule:DEAL-11
  Scenario: A deal's verification takes only the known states
    Given "sam" has made a deal of 1000.00 with "Northwind Traders"
    When "vera" sets the deal's verification to "approved"
    Then the change is refused as invalid, naming the status
