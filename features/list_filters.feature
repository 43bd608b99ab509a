@scenario:list_filters @api @today:2026-06-15 @allure.label.epic:Lists
Feature: Lists narrow down to what was asked, within one's own organization
  Every list filters by the fields it offers, a date range includes both of its ends, and a filter never
  reaches into another organization: Globex holds the same records under the same names, so a list that
  forgot its organization would show their twins too.

  Background:
    Given the ledgers of "Acme" and "Globex", with matching records in both

  @rule:DEAL-14 @rule:SEC-03
  Scenario: The deal list narrows down by each of its filters
    When "alice" lists the deals with each filter below
      | filter              | value          | expected           |
      | nothing             |                | Alpha, Beta, Gamma |
      | payment status      | fully paid     | Alpha              |
      | payment status      | partially paid | Beta               |
      | payment status      | not paid       | Gamma              |
      | verification status | verified       | Alpha              |
      | verification status | rejected       | Gamma              |
      | payment method      | cheque         | Beta               |
      | client              | Northwind      | Beta, Gamma        |
      | salesperson         | sid            | Beta               |
      | currency            | EUR            | Beta               |
      | deal number         | dlid0002       | Beta               |
      | deal date from      | 2026-06-10     | Beta, Gamma        |
      | deal date to        | 2026-06-10     | Alpha, Beta        |
    Then each list holds exactly the records of its row

  @rule:PAY-14 @rule:SEC-03
  Scenario: The payment list narrows down by each of its filters
    When "alice" lists the payments with each filter below
      | filter             | value      | expected                               |
      | nothing            |            | TXN-0001, TXN-0002, TXN-0003, TXN-0004 |
      | status             | approved   | TXN-0001, TXN-0002                     |
      | status             | pending    | TXN-0003                               |
      | status             | rejected   | TXN-0004                               |
      | deal               | Beta       | TXN-0002, TXN-0003                     |
      | payment type       | cash       | TXN-0003                               |
      | transaction number | txn-0003   | TXN-0003                               |
      | recorded by        | sid        | TXN-0002                               |
      | payment date from  | 2026-06-10 | TXN-0002, TXN-0003, TXN-0004           |
      | payment date to    | 2026-06-10 | TXN-0001, TXN-0002                     |
    Then each list holds exactly the records of its row

  @rule:CLI-10 @rule:SEC-03
  Scenario: The client list narrows down by each of its filters and searches names and emails
    When "alice" lists the clients with each filter below
      | filter      | value               | expected           |
      | nothing     |                     | Contoso, Northwind |
      | status      | clear               | Contoso            |
      | nationality | nepali              | Contoso            |
      | email       | CONTOSO@example.com | Contoso            |
      | search      | north               | Northwind          |
      | search      | TOSO@EXAMPLE        | Contoso            |
    Then each list holds exactly the records of its row

  @rule:COM-16 @rule:COM-15 @rule:SEC-03
  Scenario: The commission list narrows down by each of its filters
    When "alice" lists the commissions with each filter below
      | filter                | value      | expected                    |
      | nothing               |            | sam May, sam June, sid June |
      | salesperson           | sam        | sam May, sam June           |
      | currency              | EUR        | sid June                    |
      | period start          | 2026-06-01 | sam June, sid June          |
      | period end            | 2026-05-31 | sam May                     |
      | periods starting from | 2026-06-01 | sam June, sid June          |
      | periods ending by     | 2026-05-31 | sam May                     |
    Then each list holds exactly the records of its row

  @rule:COM-15
  Scenario Outline: <user> sees the commissions <commissions>
    When "<user>" lists all the commissions they may see
    Then the list holds exactly <commissions>

    Examples:
      | user | commissions                 |
      | vera | sam May, sam June, sid June |
      | sam  | sam May, sam June           |

  @rule:NOT-07 @rule:NOT-06
  Scenario: Each user's notifications narrow down by read or unread, kind and priority
    Given "sam" has read the notification "Payment TXN-0001 approved"
    When "sam" lists the notifications with each filter below
      | filter   | value                 | expected                                                                    |
      | nothing  |                       | Payment TXN-0001 approved, Payment TXN-0004 rejected, Commission calculated × 2 |
      | kind     | payment approved      | Payment TXN-0001 approved                                                   |
      | kind     | commission calculated | Commission calculated × 2                                                   |
      | priority | high                  | Payment TXN-0004 rejected                                                   |
      | read     | yes                   | Payment TXN-0001 approved                                                   |
      | read     | no                    | Payment TXN-0004 rejected, Commission calculated × 2                        |
    Then each list holds exactly the records of its row

  @rule:AUD-07 @rule:AUD-06
  Scenario: The audit trail narrows down by action, object type, object and actor
    When "alice" lists the audit trail with each filter below
      | filter      | value      | expected   |
      | action      | verify     | 2 entries  |
      | object type | deals.deal | 5 entries  |
      | actor       | sid        | 3 entries  |
      | object      | deal Alpha | 2 entries  |
    Then each list holds exactly the records of its row

  @rule:API-04
  Scenario: A filter with a bad value is refused, naming it
    When "alice" lists with each bad filter below
      | list        | filter         | value      |
      | deals       | deal date from | 2026-02-30 |
      | deals       | payment status | paid       |
      | payments    | status         | waiting    |
      | commissions | salesperson    | nobody     |
      | clients     | status         | gone       |
      | audit trail | action         | erase      |
    Then each list is refused as invalid, naming its filter

  @rule:SEC-03
  Scenario: The superuser sees every organization's records
    When the superuser "root" lists the deals with each filter below
      | filter         | value      | expected                                   |
      | nothing        |            | Alpha, Alpha, Beta, Beta, Gamma, Gamma     |
      | payment status | fully paid | Alpha, Alpha                               |
    Then each list holds exactly the records of its row

  @rule:SEC-03 @rule:NOT-06
  Scenario: The superuser reads the notifications of every organization
    When the superuser "root" lists the notifications with each filter below
      | filter | value            | expected                                                     |
      | kind   | payment approved | Payment TXN-0001 approved × 2, Payment TXN-0002 approved × 2 |
    Then each list holds exactly the records of its row
