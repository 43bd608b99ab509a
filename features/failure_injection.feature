@scenario:failure_injection @cross_service @allure.label.epic:Integrity
Feature: A write and everything that follows from it are one unit
  When any collaborator fails part-way through a write (the audit trail, the notifications, the commission
  recalculation), the caller is told a dependency is unavailable and nothing of the write remains: not the
  object, not its invoice, not an audit entry, a notification, a decision or a recalculated figure.
  Each example fails one call of one collaborator, in the order the write makes them.

  Background:
    Given the organization "Acme" with a salesperson "sam", a verifier "vera" and an admin "alice"
    And "sam" has recorded the client "Northwind"
    And "alice" has recorded the client "Fabrikam"
    And "alice" has calculated the commission of "sam" for this month
    And "sam" has a deal of 1000.00 with a payment of 100.00 to decide

  @rule:TRX-01 @rule:TRX-02 @rule:TRX-03 @rule:TRX-04
  Scenario Outline: <collaborator> failing at its <nth> call while <write>
    Given the <collaborator> will fail at its <nth> call
    When <write>
    Then the caller is told a dependency is unavailable
    And nothing of that write remains

    Examples: creating a deal
      | collaborator  | nth   | write                                          |
      | audit trail   | first | "sam" makes a deal of 500.00 with "Northwind"  |
      | notifications | first | "sam" makes a deal of 500.00 with "Northwind"  |

    Examples: recording a payment
      | collaborator  | nth    | write                                               |
      | audit trail   | first  | "sam" records a bank payment of 100.00 on that deal |
      | audit trail   | second | "sam" records a bank payment of 100.00 on that deal |
      | notifications | first  | "sam" records a bank payment of 100.00 on that deal |

    Examples: deciding a payment in a commission's period
      | collaborator             | nth    | write                        |
      | commission recalculation | first  | "vera" approves that payment |
      | audit trail              | first  | "vera" approves that payment |
      | notifications            | first  | "vera" approves that payment |
      | audit trail              | second | "vera" approves that payment |
      | notifications            | second | "vera" approves that payment |
      | commission recalculation | first  | "vera" rejects that payment  |
      | audit trail              | first  | "vera" rejects that payment  |
      | notifications            | first  | "vera" rejects that payment  |

    Examples: calculating and changing a commission
      | collaborator  | nth   | write                                                           |
      | audit trail   | first | "alice" calculates the commission of "sam" from 2019-01-01 to 2019-01-31 |
      | notifications | first | "alice" calculates the commission of "sam" from 2019-01-01 to 2019-01-31 |
      | audit trail   | first | "alice" changes the bonus of the commission of "sam" to 50.00  |
      | notifications | first | "alice" changes the bonus of the commission of "sam" to 50.00  |

  @rule:TRX-05
  Scenario Outline: The audit trail failing while <write>
    Given the audit trail will fail at its first call
    When <write>
    Then the caller is told a dependency is unavailable
    And nothing of that write remains

    Examples:
      | write                                                         |
      | "sam" records the client "Tailspin" through PRS's services    |
      | "sam" renames the client "Northwind" through PRS's services   |
      | "alice" deletes the client "Fabrikam" through PRS's services  |
      | "sam" renames that deal through PRS's services                |
      | "vera" verifies that deal through PRS's services              |

  @rule:TRX-05
  Scenario: The audit trail failing while a deal is deleted
    Given "sam" has made a deal of 300.00 with "Northwind"
    And the audit trail will fail at its first call
    When "sam" deletes that deal through PRS's services
    Then the caller is told a dependency is unavailable
    And nothing of that write remains

  @rule:COM-10
  Scenario: A commission in another currency waits for an unavailable rate provider and writes nothing
    Given the exchange-rate provider is unreachable
    And nothing has been written since
    When "alice" calculates the commission of "sam" from 2019-01-01 to 2019-01-31 in "EUR"
    Then the caller is told a dependency is unavailable
    And nothing of that write remains
