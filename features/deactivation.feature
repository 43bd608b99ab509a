@scenario:deactivation @security @allure.label.epic:Security
Feature: Deactivated people and organizations
  A deactivated user, or every member of a deactivated organization, can no longer work in PRS, and PRS no
  longer tells them of anything.

  Background:
    Given the organization "Acme" with a salesperson "sam", a verifier "vera" and an admin "alice"
    And "sam" has made a deal of 1000.00 with his client "Northwind"

  @rule:SEC-02
  Scenario: A deactivated user's token no longer opens the API
    Given "sam" has been deactivated
    When "sam" tries through the API to list the deals
    Then the request is refused as unauthenticated

  @rule:SEC-02 @rule:SEC-05
  Scenario Outline: Nobody of a deactivated organization gets in: <user>
    Given the organization "Acme" has been deactivated
    When "<user>" tries through the API to list the clients
    Then the request is forbidden

    Examples:
      | user  |
      | alice |
      | sam   |
      | vera  |

  @rule:SEC-06
  Scenario: A deactivated user cannot sign in, and is told no more than a stranger
    Given "sam" has been deactivated
    When "sam" signs in with the right password
    Then the sign-in is refused

  @rule:SEC-03 @rule:DEAL-01
  Scenario Outline: A deactivated user's work is refused inside PRS too: <work>
    Given "sam" has been deactivated
    When the deactivated "sam" tries to <work> through PRS's services
    Then PRS answers "<answer>"

    Examples:
      | work                    | answer    |
      | make another deal       | forbidden |
      | look up his deal        | not found |
      | list the deals          | nothing   |

  @rule:NOT-01
  Scenario: A deactivated admin is not told of new deals
    Given "Acme" also has the admin "ada", who has been deactivated
    And nobody has any notification yet
    When "sam" makes a deal of 500.00 with "Northwind"
    Then exactly these people are notified: alice (deal created)

  @rule:NOT-02
  Scenario: A deactivated verifier is not told of payments to verify
    Given "Acme" also has the verifier "val", who has been deactivated
    And nobody has any notification yet
    When "sam" records a bank payment of 100.00 on that deal
    Then exactly these people are notified: vera (payment recorded, high)

  @rule:CLI-09
  Scenario Outline: The superuser records a client for an organization that is <state>
    Given the organization "Globex" with a salesperson "gus", a verifier "gia" and an admin "gail"
    And the organization "Globex" is <state>
    When the superuser "root" records the client "Initech" for "Globex"
    Then that client <outcome>

    Examples:
      | state       | outcome                                    |
      | active      | belongs to "Globex"                        |
      | deactivated | is refused as invalid, naming organization |

  @rule:CLI-09
  Scenario: A member's new client belongs to the member's organization, whatever the request names
    Given the organization "Globex" with a salesperson "gus", a verifier "gia" and an admin "gail"
    When "sam" records the client "Initech" for "Globex"
    Then that client belongs to "Acme"
