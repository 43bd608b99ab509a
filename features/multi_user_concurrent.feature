@scenario:multi_user_concurrent @concurrency @timeout:120 @allure.label.epic:Integrity
Feature: Many users at once
  Several people work on the same records at the same moment. PRS never overpays a deal,
  never decides a payment twice and loses nothing.

  Background:
    Given the organization "Acme" with a salesperson "sam", a verifier "vera" and an admin "alice"
    And "Acme" also has the salespeople "sue", "sid" and "sol" and the verifier "val"
    And "sam" has recorded the client "Northwind Traders"

  @critical @rule:PAY-03
  Scenario: Simultaneous payments never overpay a deal
    Given "sam" has made a deal of 1000.00 with "Northwind Traders"
    When "sam" and "alice" each record 2 payments of 400.00 on that deal at the same moment
    Then exactly 2 of those payments are accepted
    And the others are refused as an overpayment
    And the payments on that deal total 800.00

  @critical @rule:PAY-11
  Scenario: Simultaneous approvals approve a payment once
    Given "sam" has made a deal of 1000.00 with "Northwind Traders"
    And "sam" has recorded a bank payment of 1000.00 on that deal
    When "vera" and "val" approve that payment at the same moment
    Then the payment is approved exactly once
    And the other verifier is told of the conflict

  Scenario: Nothing is lost when many people record clients at once
    When "sam", "sue", "sid" and "sol" each record 5 clients at the same moment
    Then "Acme" has 21 clients
    And the audit trail of "Acme" holds one creation per client
    And the audit trail of "Acme" is intact

  @rule:DEAL-10
  Scenario: Each organization keeps counting its own deals
    Given the organization "Globex" with a salesperson "gus", a verifier "gia" and an admin "gail"
    When "sam" and "gus" each make 5 deals at the same moment
    Then the deals of "Acme" are numbered DLID0001 to DLID0005
    And the deals of "Globex" are numbered DLID0001 to DLID0005
