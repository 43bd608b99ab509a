# The acceptance suite in a container:
#   docker build -t prs-acceptance .
#   docker run --rm --network host -e DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
#     -v "$PWD/reports:/app/reports" prs-acceptance            # the whole suite: reports/shard-1/
#   docker run ... prs-acceptance ci/shard.sh 2 3             # or one CI shard
# The default command is the CI script tests/reporting/test_ci_scripts.py runs (Allure comes from behave.ini).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir -p prs support && touch prs/__init__.py support/__init__.py \
    && pip install ".[dev]" && pip uninstall -y prs-acceptance

COPY . .
RUN pip install --no-deps -e ".[dev]"

CMD ["ci/shard.sh", "1", "1"]
