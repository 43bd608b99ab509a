@scenario:service_contracts @contract @allure.label.epic:Contracts
Feature: Service contracts
  Every PRS service keeps the promises written in its contract: which operations it offers, what they
  accept and return, how each known failure is answered, which other services it relies on, and what an
  operation may cost. The contracts are read from the services' own interfaces, so they cannot drift.

  Background:
    Given the PRS services and their contracts

  Scenario Outline: <service> keeps its contract
    When the contract of "<service>" is checked
    Then every operation of "<service>" keeps its contract
    And every known failure of "<service>" is answered with its declared error code

    Examples:
      | service              |
      | client_service       |
      | deal_service         |
      | payment_service      |
      | commission_service   |
      | notification_service |
      | audit_service        |

  Scenario: A service that lost an operation is caught
    Given a version of "client_service" without its "delete" operation
    When the contract of "client_service" is checked
    Then the contract check reports "missing_method" for "delete"

  Scenario: Approving payments really involves the services payments declare
    When "payment_service" works together with "commission_service"
    Then "payment_service" called "commission_service"
    And "payment_service" called no service outside its contract

  Scenario: Contracts only change with the version they announce
    When the contracts of the code are compared with the published contract file
    Then no contract changed without the version bump it needs

  Scenario: Commissions stay answerable while the exchange-rate provider is down
    Given the exchange-rate provider fails on every call
    When commissions in a foreign currency are calculated until the circuit breaker opens
    Then the circuit breaker opens, fails fast, half-opens after its timeout and recovers
    And callers are told the exchange rate is "dependency_unavailable"
