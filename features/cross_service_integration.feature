@scenario:cross_service_integration @cross_service
@depends_on:complete_sales_workflow @depends_on:api_integration @depends_on:multi_user_concurrent
@depends_on:notification_system_integration @depends_on:financial_calculations_accuracy
@depends_on:security_audit_trail @depends_on:performance_under_load
@allure.label.epic:Integration
Feature: The services work together
  PRS's services hand work to each other: the payment service relies on the audit, notification and
  commission services. A failure anywhere undoes the whole change, errors travel back as results,
  and each service uses only the services it declares.

  Background:
    Given the organization "Acme" with a salesperson "sam", a verifier "vera" and an admin "alice"
    And "sam" has recorded the client "Northwind Traders"
    And "sam" has made a deal of 1000.00 with "Northwind Traders"

  @critical @rule:TRX-02
  Scenario Outline: A failure late in a chain undoes the earlier writes
    Given the <failing service> fails
    When "sam" records a bank payment of 400.00 on that deal through the services
    Then the payment is refused as unavailable
    And no payment, invoice, notification or audit entry was written

    Examples:
      | failing service      |
      | audit service        |
      | notification service |

  @rule:PAY-15
  Scenario Outline: A decision the services record without remarks has none
    Given "sam" has recorded a bank payment of 400.00 on that deal
    When "vera" <decides> that payment through the services
    Then the decision on that payment has no remarks

    Examples:
      | decides  |
      | approves |
      | rejects  |

  Scenario Outline: Expected failures travel as results, not crashes
    When "sam" <mistake>
    Then the service answers "<error code>" naming "<field>"

    Examples:
      | mistake                                           | error code       | field   |
      | records a payment on a deal that does not exist   | validation_error | deal    |
      | records a payment without naming its deal         | validation_error | deal    |
      | records a payment of nothing on that deal         | validation_error | amount  |
      | asks for a client that does not exist             | not_found        | client  |
      | changes a client of his with the version "seven"  | validation_error | version |

  @rule:NOT-05
  Scenario: A notification for members of another organization is refused, naming them
    Given the organization "Globex" with a salesperson "gus", a verifier "gia" and an admin "gail"
    When the notification service is asked to tell "vera", "gus" and "gail" of the deal of "sam"
    Then the service answers "validation_error" naming "recipients"
    And the refusal names "gail" and "gus" as not members of "Acme"

  Scenario: Each service calls only the services it declares
    When a payment is recorded, approved and its commission calculated while the services are watched
    Then every service called only services it declares
    And every service it declares for this work was called

  @rule:COM-10
  Scenario: A commission in another currency waits for the exchange rate
    Given "sam" has approved sales of 1000.00 this month
    And the exchange-rate provider is down
    When "alice" calculates the commission of "sam" for this month in "EUR"
    Then the service answers "dependency_unavailable" naming "exchange_rate"
    And no commission was written
