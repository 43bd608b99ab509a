@scenario:performance_under_load @performance @timeout:180 @allure.label.epic:Performance
Feature: Performance under load
  With thousands of records, the lists people use every day stay quick, and the number of
  database queries behind a page does not grow with the data.

  Background:
    Given the organization "Acme" with a salesperson "sam", a verifier "vera" and an admin "alice"

  @max_memory_mb:300
  Scenario Outline: Lists stay quick and their query count flat as data grows
    Given "Acme" holds 20 <records>
    And the number of queries for the <records> list has been measured
    When "Acme" grows to 2000 <records>
    Then "alice" receives the <records> list within <milliseconds> milliseconds
    And the <records> list takes no more queries than with 20 <records>

    Examples:
      | records  | milliseconds |
      | clients  | 500          |
      | deals    | 500          |
      | payments | 500          |

  Scenario: Filtering a large list is done by the database
    Given "Acme" holds 2000 deals, 10 of them fully paid
    When "alice" asks for the deals list of deals that are "fully_paid"
    Then the answer lists 10 deals
    And the answer comes within 500 milliseconds
