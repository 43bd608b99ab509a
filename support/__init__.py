"""PRS Acceptance support code: the framework engine (`support.engine`), reports (`support.reporting`),
and the PRS-specific parts (`support.prs`, `support.framework`)."""
