@scenario:audit_completeness @security @allure.label.epic:Audit
Feature: Every write leaves a complete, chained audit entry
  Each kind of write appends its entries: the action, the object, who did it, the address the request came
  from, and the value before and after of exactly the fields that changed. PRS's own recalculations are
  written down too, under the name of the person whose decision caused them. The entries of an
  organization form a chain: removing or reordering one breaks it at a place the check names.

  Background:
    Given the sales office "Acme" where "alice" and "ada" are admins, "sam" and "sid" sell and "vera" verifies

  @rule:AUD-01 @rule:AUD-02 @rule:AUD-03
  Scenario Outline: <write> is written down completely
    When "<user>" tries through the API to <write> from the address 10.9.8.7
    Then the request is allowed
    And the newest audit entries of "Acme" are, by "<user>" from 10.9.8.7: <entries>

    Examples:
      | user  | write                             | entries                                                                                                                                         |
      | sam   | create a client                   | create of a client (name, email, phone, nationality, status)                                                                                    |
      | root  | create a client for Acme          | create of a client (name, email, phone, nationality, status)                                                                                    |
      | sam   | edit a client                     | update of a client (name)                                                                                                                       |
      | alice | delete a client without deals     | delete of a client (name, email, phone, nationality, status)                                                                                    |
      | sam   | create a deal                     | create of a deal (deal id, client, salesperson, deal name, value, currency, deal date, due date, payment method, verification status, payment status, progress, remarks) |
      | sam   | edit the deal of sam              | update of a deal (deal name)                                                                                                                    |
      | sam   | delete the unpaid deal of sam     | delete of a deal (deal id, client, salesperson, deal name, value, currency, deal date, due date, payment method, verification status, payment status, progress, remarks) |
      | vera  | verify the deal of sam            | verify of a deal (verification status)                                                                                                          |
      | sam   | record a payment on the deal of sam | create of a payment (transaction id, deal, payment date, amount, payment type, status, remarks), create of an invoice (invoice id, payment, amount) |
      | vera  | approve the payment               | calculate of a commission (total sales, commission amount, total commission, total receivable), approve of a payment (status, verified amount)    |
      | vera  | reject the payment                | reject of a payment (status, failure reason)                                                                                                    |
      | alice | calculate the commission of sam   | calculate of a commission (user, period start, period end, currency, total sales, commission rate, exchange rate, bonus, penalty, commission amount, total commission, total receivable) |
      | alice | change the commission of sam      | update of a commission (bonus, total commission, total receivable)                                                                              |

  @rule:AUD-02
  Scenario: An audit entry shows the values before and after
    When "sam" tries through the API to edit the deal of sam from the address 10.9.8.7
    Then the newest audit entry of "Acme" shows the deal name changed from "Contoso deal" to "Renamed"

  @rule:AUD-02
  Scenario: An approval's audit entry shows the amount the verifier confirmed
    When "vera" tries through the API to approve the payment from the address 10.9.8.7
    Then the newest audit entry of "Acme" shows the verified amount set to "100.00"

  @rule:AUD-04
  Scenario: Each organization keeps its own chain, whatever the order of their writes
    Given the organization "Globex" with a salesperson "gus", a verifier "gia" and an admin "gail"
    When "sam" and "gus" take turns recording 3 clients each
    Then the audit trail of "Acme" is intact
    And the audit trail of "Globex" is intact

  @rule:AUD-04 @tampers
  Scenario Outline: The audit check finds the chain broken after someone <tampering>
    Given the organization "Globex" with a salesperson "gus", a verifier "gia" and an admin "gail"
    And "gus" has recorded the client "Initech"
    When someone <tampering> behind PRS's back
    Then the audit check of "Acme" names the <named> entry as the first broken link, because <reason>
    And the audit trail of "Globex" is intact

    Examples:
      | tampering                                          | named  | reason                                       |
      | removes the second audit entry of "Acme"           | third  | it no longer follows the entry before it     |
      | swaps the second and third audit entries of "Acme" | second | it no longer follows the entry before it     |
      | rewrites the fourth audit entry of "Acme"          | fourth | its content no longer matches its hash       |
