@scenario:security_audit_trail @security @depends_on:complete_sales_workflow @allure.label.epic:Security
Feature: Security and the audit trail
  Only the right people reach the right records; every change is written down for good,
  and tampering with the record is found out.

  Background:
    Given the organization "Acme" with a salesperson "sam", a verifier "vera" and an admin "alice"
    And "sam" has recorded the client "Northwind Traders"

  @rule:SEC-01
  Scenario: A caller without credentials is turned away
    When an anonymous caller asks for the deals list
    Then the caller is told to authenticate first

  @critical @rule:PAY-09 @rule:AUD-06 @rule:SEC-05
  Scenario Outline: Each role may only do its own work
    Given "sam" has made a deal of 1000.00 with "Northwind Traders"
    And "sam" has recorded a bank payment of 400.00 on that deal
    When "<user>" tries to <action>
    Then the attempt is <outcome>

    Examples:
      | user  | action                 | outcome   |
      | sam   | approve that payment   | forbidden |
      | sam   | read the audit trail   | forbidden |
      | vera  | approve that payment   | allowed   |
      | vera  | read the audit trail   | allowed   |
      | alice | read the audit trail   | allowed   |
      | alice | approve that payment   | allowed   |

  @critical @rule:SEC-04 @rule:SEC-11
  Scenario: Another organization's records do not exist for a user
    Given the organization "Globex" with a salesperson "gus", a verifier "gia" and an admin "gail"
    And "gus" has made a deal of 900.00 with his client "Initech"
    When "sam" asks for that deal
    Then he is told it does not exist
    And a "cross_organization_access" security event is recorded for "sam"

  @critical @rule:SEC-03 @rule:SEC-04
  Scenario: No organization sees or reaches another's records
    Given the organization "Globex" with a salesperson "gus", a verifier "gia" and an admin "gail"
    And each organization has a paid deal and a commission
    When every user of each organization looks through all that PRS offers them
    Then nobody sees or reaches a record of another organization

  @critical @rule:PAY-10
  Scenario: Nobody decides on a payment they recorded
    Given "sam" has made a deal of 1000.00 with "Northwind Traders"
    And "alice" has recorded a bank payment of 300.00 on that deal
    When "alice" tries to approve that payment
    Then the attempt is forbidden
    And the payment stays "pending"

  @rule:SEC-06
  Scenario Outline: A failed sign-in is on record with the email tried, the address and why
    When someone signs in as <who> with a wrong password from the address 203.0.113.7
    Then a failed sign-in as <who> from 203.0.113.7 is on record, because of <reason>

    Examples:
      | who                         | reason           |
      | "sam"                       | a bad password   |
      | the unknown "nobody@x.test" | an unknown email |

  @rule:SEC-07 @rule:SEC-11
  Scenario: Five failed sign-ins lock the account
    When someone fails to sign in as "sam" 5 times
    Then "sam" cannot sign in, even with the right password
    And 5 "login_failed" security events and 1 "account_locked" security event are recorded for "sam"

  @rule:SEC-07
  Scenario: Only failed sign-ins with that email count toward its lockout
    When someone fails to sign in as "vera" 4 times
    And "sam" is refused 5 times for lack of role
    And someone fails to sign in as "sam" 4 times
    Then "sam" can still sign in with the right password

  @rule:AUD-01
  Scenario: Every write is audited with who made it and where from
    When "sam" updates the phone number of "Northwind Traders" from the address 10.1.2.3
    Then the audit trail of "Acme" ends with an "update" of the client by "sam" from 10.1.2.3
    And the entry shows the phone number before and after

  @critical @tampers @rule:AUD-04
  Scenario: A tampered audit entry is found out
    Given "sam" has made a deal of 1000.00 with "Northwind Traders"
    When someone alters the first audit entry of "Acme" behind PRS's back
    Then the audit check names that entry as the first broken link of "Acme"

  @tampers @rule:AUD-04
  Scenario: The audit check of every organization names only the broken chain
    Given the organization "Globex" with a salesperson "gus", a verifier "gia" and an admin "gail"
    And "gus" has recorded the client "Initech"
    And "sam" has made a deal of 1000.00 with "Northwind Traders"
    When someone alters the first audit entry of "Acme" behind PRS's back
    Then the audit check of every organization names that entry as the only broken link

  @rule:AUD-05
  Scenario Outline: Audit entries cannot be changed or removed
    When someone tries to <tampering> the first audit entry of "Acme" through PRS
    Then PRS refuses it and the audit trail of "Acme" is intact

    Examples:
      | tampering |
      | change    |
      | delete    |
