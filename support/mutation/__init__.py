"""Mutation testing of a behave suite (``prs-acceptance mutate``): mutmut's mutants, our engine's workers.

Generic: what to mutate comes from ``[tool.prs-acceptance.mutate]`` in pyproject.toml, the suite from
``behave.ini``. See ``campaign.py`` for the run, ``results.py`` for ``mutation.json``.
"""
