@scenario:notification_recipients @notifications @allure.label.epic:Notifications
Feature: Every event reaches exactly the people of its kind
  Each organization below has two people of every role, so an event meant for every admin (or every
  verifier) cannot pass by reaching only one of them; Globex has the same roles, so an event that leaks
  across organizations shows.

  Background:
    Given "Acme" has the admins "alice" and "ada", the salespeople "sam" and "sid" and the verifiers "vera" and "val"
    And "Globex" has the admins "gail" and "gwen", the salespeople "gus" and "gil" and the verifiers "gia" and "gio"
    And "sam" has recorded the client "Northwind"

  @rule:NOT-01 @rule:NOT-02 @rule:NOT-03 @rule:NOT-04 @rule:NOT-05
  Scenario Outline: <event>: <notified>
    Given <arrangement>
    And nobody has any notification yet
    When <event>
    Then exactly these people are notified: <notified>

    Examples:
      | arrangement                                                  | event                                                  | notified                                                    |
      | nothing more                                                 | "sam" makes a deal of 500.00 with "Northwind"          | alice (deal created), ada (deal created)                    |
      | nothing more                                                 | "alice" makes a deal of 500.00 with "Northwind"        | alice (deal created), ada (deal created)                    |
      | "sam" has made a deal of 1000.00 with "Northwind"            | "sam" records a bank payment of 100.00 on that deal    | vera (payment recorded, high), val (payment recorded, high) |
      | "sam" has made a deal of 1000.00 with "Northwind"            | "ada" records a bank payment of 100.00 on that deal    | vera (payment recorded, high), val (payment recorded, high) |
      | "sam" has a deal of 1000.00 with a payment of 100.00 to decide | "vera" approves that payment                         | sam (payment approved)                                      |
      | "sam" has a deal of 1000.00 with a payment of 100.00 to decide | "vera" rejects that payment                          | sam (payment rejected, high)                                |
      | "ada" has a deal of 1000.00 with a payment of 100.00 to decide | "val" approves that payment                          | ada (payment approved)                                      |
      | nothing more                                                 | "alice" calculates the commission of "sam" for this month | sam (commission calculated)                              |
      | "alice" has calculated the commission of "sam" for this month | "ada" changes the bonus of that commission to 50.00  | sam (commission changed)                                    |

  @rule:NOT-04 @rule:COM-11
  Scenario: An approval in a commission's period tells the salesperson of both
    Given "alice" has calculated the commission of "sam" for this month
    And "sam" has a deal of 1000.00 with a payment of 100.00 to decide
    And nobody has any notification yet
    When "vera" approves that payment
    Then exactly these people are notified: sam (payment approved), sam (commission changed)

  @rule:NOT-04 @rule:COM-12
  Scenario: A rejection in a commission's period changes no figure and tells nobody of the commission
    Given "alice" has calculated the commission of "sam" for this month
    And "sam" has a deal of 1000.00 with a payment of 100.00 to decide
    And nobody has any notification yet
    When "vera" rejects that payment
    Then exactly these people are notified: sam (payment rejected, high)

  @rule:NOT-01 @rule:NOT-02 @rule:NOT-03 @rule:NOT-04 @today:2026-06-15
  Scenario: Each notification says what happened and what it is about
    When "sam" makes a deal of 1000.00 with "Northwind"
    And "alice" calculates the commission of "sam" for this month
    And "sam" records a bank payment of 400.00 on that deal
    And "vera" approves that payment for 300.00
    And "sam" records a cash payment of 100.00 on that deal
    And "val" rejects that payment because of "bank_decline"
    Then the notifications read:
      | recipient | title                      | message                                                             | about              |
      | alice     | Deal DLID0001 created      | Sam created deal DLID0001 for Northwind worth 1000.00 USD.          | deal DLID0001      |
      | ada       | Deal DLID0001 created      | Sam created deal DLID0001 for Northwind worth 1000.00 USD.          | deal DLID0001      |
      | sam       | Commission calculated      | Your commission for 2026-06-01..2026-06-30 is 0.00 USD (sales 0.00). | commission of sam |
      | vera      | Payment TXN-0001 to verify | 400.00 USD recorded on deal DLID0001 by Sam.                        | payment TXN-0001   |
      | val       | Payment TXN-0001 to verify | 400.00 USD recorded on deal DLID0001 by Sam.                        | payment TXN-0001   |
      | sam       | Commission changed         | Your commission for 2026-06-01..2026-06-30 is 15.00 USD (sales 300.00). | commission of sam |
      | sam       | Payment TXN-0001 approved   | Payment TXN-0001 on deal DLID0001 was approved (300.00 verified).   | payment TXN-0001   |
      | vera      | Payment TXN-0002 to verify | 100.00 USD recorded on deal DLID0001 by Sam.                        | payment TXN-0002   |
      | val       | Payment TXN-0002 to verify | 100.00 USD recorded on deal DLID0001 by Sam.                        | payment TXN-0002   |
      | sam       | Payment TXN-0002 rejected  | Payment TXN-0002 on deal DLID0001 was rejected: bank_decline.       | payment TXN-0002   |
