"""behave's Allure formatter, as the suite configures it in behave.ini (the workers run it).

allure-behave's own formatter with two changes: every test gets its identity and labels from
`allure_results.behave_test_fields` (the function the parent uses for results it writes itself: blocked,
skipped, timed out), and each step's start is kept on disk (`StepProgress`) so a scenario stopped at its
timeout still shows the steps it ran and the one it hung in.
"""

from __future__ import annotations

from typing import Any

import allure_commons
from allure_behave.formatter import AllureFormatter as BehaveAllureFormatter
from allure_behave.listener import AllureListener
from allure_commons.logger import AllureFileLogger
from allure_commons.utils import get_testplan

from support.reporting.allure_results import StepProgress, behave_test_fields, engine_name_of


class SuiteAllureListener(AllureListener):
    def __init__(self, config: Any, results_dir: str) -> None:
        super().__init__(config)
        self.progress = StepProgress(results_dir)

    def start_scenario(self, scenario: Any) -> None:
        super().start_scenario(scenario)
        test = self.logger.get_test(self.current_scenario_uuid)
        for key, value in behave_test_fields(scenario, engine_name_of(scenario)).items():
            setattr(test, key, value)
        self.progress.start_scenario(f"{scenario.filename}:{scenario.line}")

    def stop_scenario(self, scenario: Any) -> None:
        try:
            super().stop_scenario(scenario)
        finally:
            self.progress.end_scenario()

    def match_step(self, match: Any) -> None:
        # A step starting to run (steps never reached are flushed at the end without a match: no write).
        step = self.steps[0] if self.steps else None
        super().match_step(match)
        if step is not None:
            self.progress.start_step(step.keyword, step.name)

    def stop_behave_step(self, result: Any) -> None:
        super().stop_behave_step(result)
        self.progress.finish_step(getattr(result.status, "name", str(result.status)), result.error_message)


class AllureFormatter(BehaveAllureFormatter):
    """Named in behave.ini: `format = support.reporting.allure_formatter:AllureFormatter`."""

    def __init__(self, stream_opener: Any, config: Any) -> None:
        # The base class's __init__ registers its own listener; build ours in its place instead.
        super(BehaveAllureFormatter, self).__init__(stream_opener, config)
        self.listener = SuiteAllureListener(config, self.stream_opener.name)
        self.file_logger = AllureFileLogger(self.stream_opener.name)
        allure_commons.plugin_manager.register(self.listener)
        allure_commons.plugin_manager.register(self.file_logger)
        self.testplan = get_testplan()
