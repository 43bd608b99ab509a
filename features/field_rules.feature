@scenario:field_rules @core @api @allure.label.epic:Validation
Feature: What PRS accepts in each field, at the edges
  Each resource checks its fields where they are entered. Every example sits at an edge of a rule: the last
  value accepted and the first refused. A refusal names the field.

  Background:
    Given the organization "Acme" with a salesperson "sam", a verifier "vera" and an admin "alice"
    And the organization "Globex" with a salesperson "gus", a verifier "gia" and an admin "gail"

  @rule:CLI-05 @rule:CLI-06 @rule:CLI-08 @rule:API-11
  Scenario Outline: A new client with <field> <value> is <outcome>
    When "sam" submits a new client with <field> "<value>"
    Then that submission is <outcome>

    Examples:
      | field       | value              | outcome                          |
      | name        | 200 characters     | accepted                         |
      | name        | 201 characters     | refused as invalid, naming it    |
      | name        | nothing            | refused as invalid, naming it    |
      | phone       | +1234567890        | accepted                         |
      | phone       | +123456789         | refused as invalid, naming it    |
      | phone       | +123456789012345   | accepted                         |
      | phone       | 12345678901        | refused as invalid, naming it    |
      | phone       | +1234567890a       | refused as invalid, naming it    |
      | phone       | nothing            | refused as invalid, naming it    |
      | email       | buyer@example      | refused as invalid, naming it    |
      | email       | nothing            | refused as invalid, naming it    |
      | nationality | 100 characters     | accepted                         |
      | nationality | 101 characters     | refused as invalid, naming it    |
      | status      | bad debt           | accepted                         |
      | status      | clear              | accepted                         |
      | status      | written off        | refused as invalid, naming it    |
      | name        | 42 as a number     | refused as invalid, naming it    |

  @rule:CLI-08
  Scenario: A new client is pending until someone says otherwise
    When "sam" submits a new client with status "nothing"
    Then that submission is accepted
    And the answer shows status "pending"

  @rule:CLI-07
  Scenario Outline: A client's email is unique within its organization, whatever its case
    Given "<owner>" has a client with the email "buyer@fabrikam.example"
    When "sam" submits a new client with email "<email>"
    Then that submission is <outcome>

    Examples:
      | owner | email                  | outcome                       |
      | alice | buyer@fabrikam.example | refused as invalid, naming it |
      | alice | BUYER@Fabrikam.example | refused as invalid, naming it |
      | gail  | buyer@fabrikam.example | accepted                      |

  @rule:CLI-07
  Scenario: A client cannot take the email of another client of its organization
    Given "alice" has a client with the email "buyer@fabrikam.example"
    And "sam" has recorded the client "Contoso"
    When "sam" changes the email of "Contoso" to "Buyer@Fabrikam.example"
    Then that submission is refused as invalid, naming email

  @rule:CLI-07
  Scenario: A client's email is recorded in lower case
    When "sam" submits a new client with email "Buyer@Fabrikam.Example"
    Then that submission is accepted
    And the answer shows email "buyer@fabrikam.example"

  @rule:CLI-05 @rule:CLI-06 @rule:CLI-07
  Scenario Outline: A client's change is checked like a new client: its <field> to <value>
    Given "sam" has recorded the client "Contoso"
    When "sam" changes the <field> of "Contoso" to "<value>"
    Then that submission is <outcome>

    Examples:
      | field       | value          | outcome                       |
      | name        | blank          | refused as invalid, naming it |
      | name        | 201 characters | refused as invalid, naming it |
      | email       | blank          | refused as invalid, naming it |
      | phone       | blank          | refused as invalid, naming it |
      | phone       | +123456789     | refused as invalid, naming it |

  @rule:CLI-05
  Scenario Outline: A client's change that keeps to the rules is stored: its <field> to <value>
    Given "sam" has recorded the client "Contoso"
    When "sam" changes the <field> of "Contoso" to "<value>"
    Then that submission is accepted
    And that client now has that <field>

    Examples:
      | field       | value         |
      | name        | Contoso Group |
      | nationality | blank         |

  @rule:CLI-07
  Scenario: A client keeps its own email, in any case, when edited
    Given "sam" has recorded the client "Contoso"
    When "sam" changes the email of "Contoso" to its own, in capitals
    Then that submission is accepted

  @rule:API-01 @rule:DEAL-05 @rule:PAY-05 @rule:COM-09 @rule:CLI-07
  Scenario Outline: A <kind> with <field> <value> is refused, saying "<message>"
    Given "sam" has made a deal of 1000.00 with his client "Contoso"
    When "<user>" submits a new <kind> with <field> "<value>"
    Then that submission is refused as invalid, saying "<message>"

    Examples:
      | user  | kind                 | field  | value            | message                                               |
      | sam   | deal                 | value  | 0.00             | Must be greater than 0.                               |
      | alice | commission           | bonus  | -0.01            | Must be at least 0.                                   |
      | sam   | payment on that deal | amount | 1000000000000000 | Must be less than 1000000000000000 in absolute value. |
      | sam   | client               | email  | 255 characters   | At most 254 characters (got 255).                     |
      | sam   | client               | status | 1 as a number    | Must be a string.                                     |

  @rule:DEAL-05 @rule:DEAL-06 @rule:DEAL-07 @rule:DEAL-15 @rule:API-11
  Scenario Outline: A new deal with <field> <value> is <outcome>
    Given "sam" has recorded the client "Contoso"
    When "sam" submits a new deal with <field> "<value>"
    Then that submission is <outcome>

    Examples:
      | field          | value                  | outcome                       |
      | value          | 0.01                   | accepted                      |
      | value          | 0.00                   | refused as invalid, naming it |
      | value          | -5.00                  | refused as invalid, naming it |
      | value          | 999999999.99           | accepted                      |
      | value          | 1000000000.00          | refused as invalid, naming it |
      | value          | 10.005                 | refused as invalid, naming it |
      | value          | 300 as a number        | refused as invalid, naming it |
      | due date       | the deal date          | accepted                      |
      | due date       | the day before         | refused as invalid, naming it |
      | currency       | EUR                    | accepted                      |
      | currency       | eur                    | refused as invalid, naming it |
      | currency       | EU1                    | refused as invalid, naming it |
      | currency       | blank                  | refused as invalid, naming it |
      | payment method | cheque                 | accepted                      |
      | payment method | card                   | refused as invalid, naming it |
      | deal name      | 200 characters         | accepted                      |
      | deal name      | 201 characters         | refused as invalid, naming it |
      | remarks        | 5000 characters        | accepted                      |
      | remarks        | 5001 characters        | refused as invalid, naming it |

  @rule:DEAL-07 @rule:DEAL-02
  Scenario: A new deal is in the organization's currency, sold by whoever made it
    Given "sam" has recorded the client "Contoso"
    When "sam" submits a new deal with currency "nothing"
    Then that submission is accepted
    And the answer shows currency "USD" and salesperson "sam"

  @rule:DEAL-08 @rule:SEC-10
  Scenario: A deal's client belongs to the deal's organization
    Given "gus" has recorded the client "Initech"
    When "sam" submits a new deal for the client "Initech"
    Then that submission is refused as invalid, naming client

  @rule:DEAL-08 @rule:SEC-10
  Scenario: Even the superuser keeps a deal's client in the deal's organization
    Given "sam" has made a deal of 1000.00 with his client "Contoso"
    And "gus" has recorded the client "Initech"
    When the superuser "root" changes the client of that deal to "Initech"
    Then that submission is refused as invalid, naming client

  @rule:DEAL-09
  Scenario Outline: A deal's value stays at least what its payments commit
    Given "sam" has made a deal of 1000.00 with his client "Contoso"
    And "sam" has recorded a bank payment of 600.00 on that deal
    And "sam" has recorded a bank payment of 300.00 on that deal, which was rejected
    When "sam" changes the value of that deal to <value>
    Then that submission is <outcome>

    Examples:
      | value  | outcome                       |
      | 600.00 | accepted                      |
      | 599.99 | refused as invalid, naming it |

  @rule:DEAL-04
  Scenario: A deal that has payments cannot be deleted
    Given "sam" has made a deal of 1000.00 with his client "Contoso"
    And "sam" has recorded a bank payment of 600.00 on that deal, which was rejected
    When "sam" tries through the API to delete that deal
    Then that submission is a conflict, naming nothing in particular

  @rule:CLI-04
  Scenario: A client who has deals cannot be deleted
    Given "sam" has made a deal of 1000.00 with his client "Contoso"
    When "alice" tries through the API to delete the client "Contoso"
    Then that submission is a conflict, naming nothing in particular

  @rule:PAY-02 @rule:PAY-05 @rule:PAY-06 @rule:API-11
  Scenario Outline: A payment with <field> <value> is <outcome>
    Given "sam" has made a deal of 1000.00 with his client "Contoso"
    And "sam" has recorded a bank payment of 600.00 on that deal
    And "sam" has recorded a bank payment of 300.00 on that deal, which was rejected
    When "sam" submits a new payment on that deal with <field> "<value>"
    Then that submission is <outcome>

    Examples:
      | field         | value           | outcome                                  |
      | amount        | 400.00          | accepted                                 |
      | amount        | 400.01          | refused as invalid, naming it            |
      | amount        | 0.01            | accepted                                 |
      | amount        | 0.00            | refused as invalid, naming it            |
      | amount        | 1.005           | refused as invalid, naming it            |
      | payment type  | cheque          | refused as invalid, naming cheque number |
      | payment type  | cash            | accepted                                 |
      | cheque number | 50 characters   | accepted                                 |
      | cheque number | 51 characters   | refused as invalid, naming it            |
      | remarks       | 5000 characters | accepted                                 |
      | remarks       | 5001 characters | refused as invalid, naming it            |
      | payment type  | card            | refused as invalid, naming it            |

  @rule:SEC-10
  Scenario: A payment is for a deal of the organization
    Given "sam" has made a deal of 1000.00 with his client "Contoso"
    When "gus" submits a new payment on that deal with amount "100.00"
    Then that submission is refused as invalid, naming deal

  @rule:PAY-06
  Scenario Outline: A cheque number is recorded only once in an organization
    Given "sam" has made a deal of 1000.00 with his client "Contoso"
    And "<owner>" has recorded a cheque payment with the number "CHQ-77" on a deal of theirs
    When "sam" submits a new payment on that deal with cheque number "<number>"
    Then that submission is <outcome>

    Examples:
      | owner | number | outcome                       |
      | alice | CHQ-77 | refused as invalid, naming it |
      | gus   | CHQ-77 | accepted                      |
      | alice | CHQ-78 | accepted                      |

  @rule:PAY-07
  Scenario: A rejected deal takes no payments
    Given "sam" has made a deal of 1000.00 with his client "Contoso"
    And "vera" has set the verification of that deal to "rejected"
    When "sam" submits a new payment on that deal with amount "100.00"
    Then that submission is a conflict, naming deal

  @rule:PAY-12 @rule:PAY-13
  Scenario Outline: A decision on a payment of 400.00 <decision> is <outcome>
    Given "sam" has made a deal of 1000.00 with his client "Contoso"
    And "sam" has recorded a bank payment of 400.00 on that deal
    When "vera" decides that payment: <decision>
    Then that submission is <outcome>

    Examples:
      | decision                                        | outcome                                   |
      | approved for 400.00                             | accepted                                  |
      | approved for 400.01                             | refused as invalid, naming verified amount |
      | approved for 0.01                               | accepted                                  |
      | approved for 0.00                               | refused as invalid, naming verified amount |
      | rejected because of insufficient funds          | accepted                                  |
      | rejected because of bank decline                | accepted                                  |
      | rejected because of technical error             | accepted                                  |
      | rejected because of cheque bounce               | accepted                                  |
      | rejected because of payment received not reflected | accepted                               |
      | rejected because of a change of mind            | refused as invalid, naming reason         |

  @rule:PAY-15
  Scenario Outline: Remarks on a payment and on its decision are kept
    Given "sam" has made a deal of 1000.00 with his client "Contoso"
    When "sam" records a payment of 400.00 on that deal, remarking "<recorded>"
    And "vera" decides that payment: <decision>, remarking "<decided>"
    Then the payment reads "<recorded>" and its decision reads "<decided>"

    Examples:
      | recorded           | decision                               | decided                       |
      | Paid at the branch | approved for 400.00                    | Checked against the statement |
      | Paid at the branch | rejected because of insufficient funds | Bounced twice                 |
      | blank              | approved for 400.00                    | blank                         |

  @rule:PAY-15
  Scenario Outline: A payment <decided> without remarks has none
    Given "sam" has made a deal of 1000.00 with his client "Contoso"
    And "sam" has recorded a bank payment of 400.00 on that deal
    When "vera" <decides> that payment
    Then the decision on that payment has no remarks

    Examples:
      | decided  | decides  |
      | approved | approves |
      | rejected | rejects  |

  @rule:PAY-15
  Scenario Outline: A decision's remarks of <size> are <outcome>
    Given "sam" has made a deal of 1000.00 with his client "Contoso"
    And "sam" has recorded a bank payment of 400.00 on that deal
    When "vera" decides that payment: <decision>, with remarks of <size>
    Then that submission is <outcome>

    Examples:
      | decision                         | size            | outcome                            |
      | approved for 400.00              | 5000 characters | accepted                           |
      | approved for 400.00              | 5001 characters | refused as invalid, naming remarks |
      | rejected because of bank decline | 5001 characters | refused as invalid, naming remarks |

  @rule:COM-08 @rule:COM-09 @rule:API-11
  Scenario Outline: A commission calculated with <field> <value> is <outcome>
    When "alice" calculates the commission of "sam" with <field> "<value>"
    Then that submission is <outcome>

    Examples:
      | field         | value             | outcome                       |
      | rate          | 100.00            | accepted                      |
      | rate          | 100.01            | refused as invalid, naming it |
      | rate          | 0.00              | accepted                      |
      | rate          | -0.01             | refused as invalid, naming it |
      | exchange rate | 0.000001          | accepted                      |
      | exchange rate | 0                 | refused as invalid, naming it |
      | exchange rate | 999999            | accepted                      |
      | exchange rate | 1000000           | refused as invalid, naming it |
      | exchange rate | 1.0000001         | refused as invalid, naming it |
      | bonus         | 0.00              | accepted                      |
      | bonus         | -0.01             | refused as invalid, naming it |
      | bonus         | 999999999999.99   | accepted                      |
      | bonus         | 1000000000000.00  | refused as invalid, naming it |
      | penalty       | 0.00              | accepted                      |
      | penalty       | -0.01             | refused as invalid, naming it |
      | penalty       | 999999999999.99   | accepted                      |
      | penalty       | 1000000000000.00  | refused as invalid, naming it |
      | currency      | usd               | refused as invalid, naming it |
      | currency      | blank             | refused as invalid, naming it |
      | period end    | the period start  | accepted                      |
      | period end    | the day before    | refused as invalid, naming it |

  @rule:COM-09
  Scenario Outline: A commission without terms takes the organization's rate and currency: <currency>
    Given "Acme" keeps its books in <currency>
    When "alice" calculates the commission of "sam" with rate "nothing"
    Then that submission is accepted
    And the answer shows rate "5.00", currency "<currency>" and exchange rate "1.000000"

    Examples:
      | currency |
      | USD      |
      | EUR      |

  @rule:COM-07
  Scenario: One commission per salesperson and period
    Given "Acme" also has the salespeople "sue" and "sid" and the verifier "val"
    And "alice" has calculated the commission of "sam" for this month
    And "alice" has calculated the commission of "sue" for this month
    When "alice" calculates the commission of "sam" with rate "7.00"
    Then that submission is a conflict, naming nothing in particular
    And the refusal names the commission of "sam" that already covers the period

  @rule:COM-07
  Scenario: The refusal names the commission of exactly that period, not one that overlaps it
    Given "alice" has calculated the commission of "sam" for this month, then for its first half and its second half
    When "alice" calculates the commission of "sam" with rate "7.00"
    Then that submission is a conflict, naming nothing in particular
    And the refusal names the commission of "sam" that already covers the period

  @rule:COM-17 @rule:SEC-10
  Scenario Outline: A commission is for a member of the organization
    When "alice" calculates the commission of <whom>
    Then that submission is refused as invalid, naming user

    Examples:
      | whom                  |
      | "gus"                 |
      | the superuser "root"  |

  @rule:COM-17
  Scenario: Even the superuser calculates commissions only for members of an organization
    When the superuser "root" calculates the commission of the superuser "root"
    Then that submission is refused as invalid, naming user

  @rule:DEAL-06 @rule:DEAL-07 @rule:DEAL-08 @rule:SEC-10
  Scenario Outline: A deal's change is checked like a new deal: its <field> to <value>
    Given "sam" has made a deal of 1000.00 with his client "Contoso"
    And "gus" has recorded the client "Initech"
    When "sam" changes the <field> of that deal to <value>
    Then that submission is refused as invalid, naming <field>

    Examples:
      | field    | value                        |
      | client   | "Initech"                    |
      | due date | the day before its deal date |
      | currency | "usd"                        |
      | value    | 0.00                         |

  @rule:DEAL-06 @rule:SEC-10
  Scenario Outline: A deal's change that keeps to the rules is accepted: its <field> to <value>
    Given "sam" has made a deal of 1000.00 with his client "Contoso"
    And "sam" has recorded the client "Fabrikam"
    When "sam" changes the <field> of that deal to <value>
    Then that submission is accepted
    And that deal now has that <field>

    Examples:
      | field     | value                |
      | client    | "Fabrikam"           |
      | deal date | its due date         |

  @rule:DEAL-06
  Scenario: A deal's date cannot move past its due date
    Given "sam" has made a deal of 1000.00 with his client "Contoso"
    When "sam" changes the deal date of that deal to the day after its due date
    Then that submission is refused as invalid, naming due date

  @rule:DEAL-13
  Scenario: Lowering a deal's value to what was approved makes it fully paid
    Given "sam" has made a deal of 1000.00 with his client "Contoso"
    And payments of 600.00 on that deal are approved
    When "sam" changes the value of that deal to 600.00
    Then that submission is accepted
    And the deal is "fully_paid" with a progress of 100.00 percent

  @rule:COM-08 @rule:API-11
  Scenario Outline: A commission's change is checked like a new one: its <field> to <value>
    Given "sam" has approved sales of 1000.00 this month
    And "alice" has calculated the commission of "sam" for this month
    When "alice" changes the <field> of that commission to "<value>"
    Then that submission is <outcome>

    Examples:
      | field         | value            | outcome                       |
      | bonus         | 25.00            | accepted                      |
      | bonus         | -0.01            | refused as invalid, naming it |
      | penalty       | 1000000000000.00 | refused as invalid, naming it |
      | rate          | 100.01           | refused as invalid, naming it |
      | exchange rate | 0                | refused as invalid, naming it |
      | currency      | usd              | refused as invalid, naming it |

  @rule:COM-06 @rule:COM-10
  Scenario: Changing a commission's currency takes the provider's rate and recomputes its figures
    Given "sam" has approved sales of 1000.00 this month
    And "alice" has calculated the commission of "sam" for this month
    When "alice" changes the currency of that commission to "EUR"
    Then the commission is in EUR at an exchange rate of 0.920000, with 46.00 commission and 46.00 receivable

  @rule:COM-06 @rule:COM-10
  Scenario: A commission's new currency with an exchange rate of the admin's keeps that rate
    Given "sam" has approved sales of 1000.00 this month
    And "alice" has calculated the commission of "sam" for this month
    When "alice" changes the currency of that commission to "EUR" at an exchange rate of 0.5
    Then the commission is in EUR at an exchange rate of 0.500000, with 25.00 commission and 25.00 receivable

  @rule:API-06
  Scenario Outline: A change made from an older version of <record> is a conflict
    Given "sam" has recorded the client "Contoso"
    And "sam" has made a deal of 1000.00 with "Contoso"
    And "alice" has calculated the commission of "sam" for this month
    When "alice" saves a change to <record> from version 1 after someone else changed it
    Then the request is refused as a conflict

    Examples:
      | record          |
      | the client      |
      | that deal       |
      | that commission |

  @rule:API-06 @rule:COM-11
  Scenario: A change to a commission that PRS recalculated since it was read is a conflict
    Given "sam" has approved sales of 1000.00 this month
    And "alice" has calculated the commission of "sam" for this month
    When another sale of 500.00 by "sam" this month is approved
    And "alice" saves a change to that commission from version 1
    Then the request is refused as a conflict
    And that commission is at version 2, with sales of 1500.00
