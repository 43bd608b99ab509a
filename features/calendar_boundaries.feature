@scenario:calendar_boundaries @financial @allure.label.epic:Dates
Feature: Dates at the calendar's edges
  Every scenario runs on a known day, so nothing depends on the day the suite runs. Commission periods,
  the window for payment dates and the lockout window are checked at their edges: the last day of a month,
  the last day of a year, and a leap day.

  Background:
    Given the organization "Acme" with a salesperson "sam", a verifier "vera" and an admin "alice"

  @rule:COM-02
  Scenario Outline: A commission counts the payments dated inside its period, both ends included
    Given "sam" has approved sales of 1000.00 dated <payment date>
    When "alice" calculates the commission of "sam" from <start> to <end>
    Then that commission counts sales of <sales>

    @today:2026-01-31
    Examples: the last day of a month
      | payment date | start      | end        | sales   |
      | 2026-01-31   | 2026-01-01 | 2026-01-31 | 1000.00 |
      | 2026-01-01   | 2026-01-01 | 2026-01-31 | 1000.00 |
      | 2025-12-31   | 2026-01-01 | 2026-01-31 | 0.00    |
      | 2026-01-31   | 2026-02-01 | 2026-02-28 | 0.00    |

    @today:2026-12-31
    Examples: the last day of a year
      | payment date | start      | end        | sales   |
      | 2026-12-31   | 2026-12-01 | 2026-12-31 | 1000.00 |
      | 2026-12-31   | 2027-01-01 | 2027-01-31 | 0.00    |

    @today:2028-02-29
    Examples: a leap day
      | payment date | start      | end        | sales   |
      | 2028-02-29   | 2028-02-01 | 2028-02-29 | 1000.00 |
      | 2028-02-29   | 2028-03-01 | 2028-03-31 | 0.00    |

  @rule:COM-11
  Scenario Outline: A decision recalculates the commissions whose period holds the payment's date
    Given "alice" has calculated the commission of "sam" from <start> to <end>
    When a payment of 1000.00 dated <payment date> on a deal of "sam" is approved
    Then that commission counts sales of <sales>

    @today:2026-01-31
    Examples: the last day of a month
      | payment date | start      | end        | sales   |
      | 2026-01-31   | 2026-01-01 | 2026-01-31 | 1000.00 |
      | 2026-01-01   | 2026-01-01 | 2026-01-31 | 1000.00 |
      | 2025-12-31   | 2026-01-01 | 2026-01-31 | 0.00    |

    @today:2028-02-29
    Examples: a leap day
      | payment date | start      | end        | sales   |
      | 2028-02-29   | 2028-02-01 | 2028-02-29 | 1000.00 |
      | 2028-02-28   | 2028-02-29 | 2028-03-31 | 0.00    |

  @rule:PAY-04
  Scenario Outline: A payment is dated today or up to 365 days back
    Given "sam" has made a deal of 1000.00 with his client "Initech"
    When "sam" records a payment of 100.00 dated <payment date> on that deal
    Then that dated payment is <outcome>

    @today:2026-12-31
    Examples: the last day of a year
      | payment date | outcome                             |
      | 2026-12-31   | accepted                            |
      | 2027-01-01   | refused as invalid, naming its date |
      | 2025-12-31   | accepted                            |
      | 2025-12-30   | refused as invalid, naming its date |

    @today:2028-02-29
    Examples: a leap day
      | payment date | outcome                             |
      | 2028-02-29   | accepted                            |
      | 2028-03-01   | refused as invalid, naming its date |
      | 2027-03-01   | accepted                            |
      | 2027-02-28   | refused as invalid, naming its date |

  @rule:SEC-07 @today:2026-12-31T23:50:00
  Scenario Outline: Only the failed sign-ins of the last fifteen minutes count towards a lockout
    Given someone failed to sign in as "sam" 4 times
    And <minutes> minutes have passed
    When someone fails to sign in as "sam" once more
    Then "sam" <outcome> with the right password

    Examples:
      | minutes | outcome      |
      | 14      | is locked out |
      | 16      | signs in      |
