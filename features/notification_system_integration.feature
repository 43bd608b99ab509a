@scenario:notification_system_integration @notifications @depends_on:complete_sales_workflow
@allure.label.epic:Notifications
Feature: Notifications reach the right people
  PRS tells people of the events that concern them, only within their own organization,
  and keeps track of what they have read.

  Background:
    Given the organization "Acme" with a salesperson "sam", a verifier "vera" and an admin "alice"
    And the organization "Globex" with a salesperson "gus", a verifier "gia" and an admin "gail"
    And "sam" has recorded the client "Northwind Traders"

  @rule:NOT-02 @rule:NOT-03
  Scenario Outline: Each event reaches exactly the people it concerns
    Given "sam" has made a deal of 1000.00 with "Northwind Traders"
    And nobody has any notification yet
    When <event>
    Then "<recipient>" receives a "<kind>" notification about it
    And nobody else receives a notification

    Examples:
      | event                                                  | recipient | kind             |
      | "sam" records a bank payment of 100.00 on that deal   | vera      | payment_recorded |
      | a payment of 100.00 on that deal is approved by "vera" | sam       | payment_approved |
      | a payment of 100.00 on that deal is rejected by "vera" | sam       | payment_rejected |

  @rule:NOT-01 @rule:NOT-05
  Scenario: A new deal is announced to the organization's admins only
    When "sam" makes a deal of 500.00 with "Northwind Traders"
    Then "alice" receives a "deal_created" notification about it
    And nobody else receives a notification
    And no user of "Globex" has any notification

  @rule:NOT-06
  Scenario: Reading a notification
    Given "sam" has made a deal of 1000.00 with "Northwind Traders"
    And payments of 100.00, 200.00 on that deal are approved
    When "sam" reads his first notification
    Then "sam" has 1 unread notification of 2

  @rule:NOT-06
  Scenario: Nobody reads someone else's notifications
    Given "sam" has made a deal of 1000.00 with "Northwind Traders"
    And payments of 100.00 on that deal are approved
    When "gus" tries to read the first notification of "sam"
    Then he is told it does not exist
    And "sam" has 1 unread notification of 1

  @rule:NOT-06 @rule:SEC-04
  Scenario: A colleague's notification is out of reach, and no attempt on another organization
    Given "sam" has made a deal of 1000.00 with "Northwind Traders"
    And payments of 100.00 on that deal are approved
    When "alice" tries to read the first notification of "sam"
    Then she is told it does not exist
    And no attempt on another organization is on record for "alice"

  Scenario: A refused payment announces nothing
    Given "sam" has made a deal of 100.00 with "Northwind Traders"
    And nobody has any notification yet
    When "sam" records a bank payment of 150.00 on that deal
    Then the payment is refused as an overpayment
    And nobody receives a notification
