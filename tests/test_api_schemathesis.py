"""Schemathesis against the OpenAPI description: generated requests never cause a 5xx,
and every answer matches the schema it claims.

The operations are driven with Hypothesis directly (schemathesis' lazy pytest fixture
does not work with this pytest), each on the test's own database.
"""

from __future__ import annotations

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance
from hypothesis import HealthCheck, given, settings

from tests.site_data import market_app


def test_generated_requests_never_fail_the_server(tmp_path, database_url):
    # a file database (when SQLite): generated requests may leave a streamed CSV unread
    app = market_app(database_url, tmp_path, API_RATE_LIMIT="1000000/minute")
    engine = app.extensions["remit.engine"]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14  # five datasets, series and indices, each in two formats

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            # Every check but "schema-valid data must be accepted": a cursor is any string to
            # the schema, yet only the ones a page handed out are accepted; likewise a
            # well-formed corridor key that names no corridor is a 400, not an empty list.
            case.call_and_validate(headers={"Accept-Encoding": "identity"},
                                   excluded_checks=[positive_data_acceptance])
        check()
    engine.dispose()
