@scenario:role_permissions @security @api @allure.label.epic:Security
Feature: Who may do what, for every resource and action
  Each role does its own work through the API, and nothing else. The records are arranged so that no other
  rule answers in the role rule's place: the payment to decide was recorded by a second admin, not by the
  salesperson who tries to decide it; the deals to verify are not sold by the verifiers who verify them; the
  second salesperson belongs to the same organization, so only the role (not the organization) can stop him.

  Background:
    Given the sales office "Acme" where "alice" and "ada" are admins, "sam" and "sid" sell and "vera" verifies

  @rule:CLI-01 @rule:CLI-02 @rule:CLI-03 @rule:SEC-05
  Scenario Outline: Clients: <user> may <action>: <outcome>
    When "<user>" tries through the API to <action>
    Then the request is <outcome>

    Examples:
      | user  | action                        | outcome   |
      | alice | create a client               | allowed   |
      | sam   | create a client               | allowed   |
      | vera  | create a client               | forbidden |
      | alice | edit a client                 | allowed   |
      | sam   | edit a client                 | allowed   |
      | vera  | edit a client                 | forbidden |
      | alice | delete a client without deals | allowed   |
      | sam   | delete a client without deals | forbidden |
      | vera  | delete a client without deals | forbidden |
      | vera  | read a client                 | allowed   |
      | vera  | list the clients              | allowed   |

  @rule:DEAL-01 @rule:DEAL-03 @rule:DEAL-04 @rule:DEAL-12 @rule:SEC-05
  Scenario Outline: Deals: <user> may <action>: <outcome>
    When "<user>" tries through the API to <action>
    Then the request is <outcome>

    Examples:
      | user  | action                              | outcome   |
      | sam   | create a deal                       | allowed   |
      | alice | create a deal                       | allowed   |
      | vera  | create a deal                       | forbidden |
      | root  | create a deal                       | forbidden |
      | sam   | edit the deal of sam                | allowed   |
      | alice | edit the deal of sam                | allowed   |
      | sid   | edit the deal of sam                | forbidden |
      | vera  | edit the deal of sam                | forbidden |
      | sam   | delete the unpaid deal of sam       | allowed   |
      | alice | delete the unpaid deal of sam       | allowed   |
      | sid   | delete the unpaid deal of sam       | forbidden |
      | vera  | delete the unpaid deal of sam       | forbidden |
      | vera  | verify the deal of sam              | allowed   |
      | alice | verify the deal of sam              | allowed   |
      | sid   | verify the deal of sam              | forbidden |
      | sam   | verify the deal of sam              | forbidden |
      | ada   | verify the deal of ada              | forbidden |
      | sid   | read the deal of sam                | allowed   |
      | vera  | list the deals                      | allowed   |
      | root  | read the deal of sam                | allowed   |

  @rule:PAY-01 @rule:PAY-09 @rule:PAY-10 @rule:SEC-05
  Scenario Outline: Payments: <user> may <action>: <outcome>
    When "<user>" tries through the API to <action>
    Then the request is <outcome>

    Examples:
      | user  | action                           | outcome   |
      | sam   | record a payment on the deal of sam | allowed   |
      | alice | record a payment on the deal of sam | allowed   |
      | sid   | record a payment on the deal of sam | forbidden |
      | vera  | record a payment on the deal of sam | forbidden |
      | root  | record a payment on the deal of sam | forbidden |
      | vera  | approve the payment              | allowed   |
      | alice | approve the payment              | allowed   |
      | sam   | approve the payment              | forbidden |
      | ada   | approve the payment              | forbidden |
      | vera  | reject the payment               | allowed   |
      | alice | reject the payment               | allowed   |
      | sam   | reject the payment               | forbidden |
      | ada   | reject the payment               | forbidden |
      | sid   | read the payment                 | allowed   |
      | sid   | list the payments                | allowed   |

  @rule:COM-03 @rule:COM-04 @rule:COM-06 @rule:COM-15 @rule:SEC-05
  Scenario Outline: Commissions: <user> may <action>: <outcome>
    When "<user>" tries through the API to <action>
    Then the request is <outcome>

    Examples:
      | user  | action                                  | outcome             |
      | alice | calculate the commission of sam         | allowed             |
      | sam   | calculate the commission of sam         | allowed             |
      | sam   | calculate his own commission            | allowed             |
      | sid   | calculate the commission of sam         | forbidden           |
      | vera  | calculate the commission of sam         | forbidden           |
      | alice | change the commission of sam            | allowed             |
      | sam   | change the commission of sam            | forbidden           |
      | vera  | change the commission of sam            | forbidden           |
      | alice | read the commission of sam              | allowed             |
      | vera  | read the commission of sam              | allowed             |
      | sam   | read the commission of sam              | allowed             |
      | sid   | read the commission of sam              | refused as not found |

  @rule:AUD-06 @rule:NOT-06 @rule:SEC-05
  Scenario Outline: The audit trail and notifications: <user> may <action>: <outcome>
    When "<user>" tries through the API to <action>
    Then the request is <outcome>

    Examples:
      | user  | action                          | outcome              |
      | alice | list the audit trail            | allowed              |
      | vera  | list the audit trail            | allowed              |
      | sam   | list the audit trail            | forbidden            |
      | vera  | read an audit entry             | allowed              |
      | sam   | read an audit entry             | forbidden            |
      | alice | read the notification of alice  | allowed              |
      | ada   | read the notification of alice  | refused as not found |
      | alice | mark the notification of alice read | allowed          |
      | ada   | mark the notification of alice read | refused as not found |

  @rule:SEC-04
  Scenario Outline: Another organization's records: its admin may not <action>: refused as not found
    Given "olga" is an admin of another organization, "Globex"
    When "olga" tries through the API to <action>
    Then the request is refused as not found

    Examples:
      | action                              |
      | read a client                       |
      | edit a client                       |
      | delete a client without deals       |
      | read the deal of sam                |
      | edit the deal of sam                |
      | delete the unpaid deal of sam       |
      | verify the deal of sam              |
      | read the payment                    |
      | approve the payment                 |
      | reject the payment                  |
      | read the commission of sam          |
      | change the commission of sam        |
      | read an audit entry                 |
      | read the notification of alice      |
      | mark the notification of alice read |
