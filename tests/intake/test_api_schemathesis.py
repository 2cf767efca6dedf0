"""Schemathesis against every operation of the OpenAPI document, over HTTP at the live server.

Each operation gets generated valid and invalid requests with a real integrator's token; every
answer must be no server error and must match the document: status code, content type, headers
and body schema; invalid input must be refused. Then a stateful run follows the document's links
(create an application, then read it; create a reservation, then read it).

`positive_data_acceptance` is left out on purpose: the document cannot say everything the
server checks (an ID number's check digit, a webhook host that must resolve to a public
address, the characters a company name may use), so a schema-valid request may rightly be a 400.

The counts are small and derandomized for CI; `bench/schemathesis.sh` is the full run.
"""

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

EXCLUDED_CHECKS = [positive_data_acceptance]
CI_SETTINGS = settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def api_token(transactional_db: None) -> str:
    from accounts.services import api_client_create

    _, key = api_client_create(name="schemathesis")
    return key


@pytest.fixture
def api_schema(live_server: object, transactional_db: None) -> Iterator[schemathesis.BaseSchema]:
    yield schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")


def test_every_operation_conforms_to_the_document(api_schema: schemathesis.BaseSchema, api_token: str) -> None:
    failures: dict[str, BaseException] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    for operation in operations:

        @given(case=operation.as_strategy())
        @CI_SETTINGS
        def conforms(case: schemathesis.Case) -> None:
            case.call_and_validate(headers={"Authorization": f"Token {api_token}"}, excluded_checks=EXCLUDED_CHECKS)

        try:
            conforms()
        except Exception as failure:  # every operation runs; all their failures are reported together
            failures[f"{operation.method.upper()} {operation.path}"] = failure
    assert len(operations) >= 10
    assert not failures, "\n\n".join(f"{name}:\n{failure}" for name, failure in failures.items())


def test_the_document_covers_every_api_route(api_schema: schemathesis.BaseSchema) -> None:
    from django.urls import URLResolver, get_resolver

    def routes_of(patterns: list, prefix: str) -> set[str]:
        found: set[str] = set()
        for pattern in patterns:
            route = prefix + str(pattern.pattern).replace("<uuid:", "{").replace("<str:", "{").replace(">", "}")
            if isinstance(pattern, URLResolver):  # an included module: its own routes, under this prefix
                found |= routes_of(pattern.url_patterns, route)
            else:
                found.add(route)
        return found

    documented = {operation.path for operation in (result.ok() for result in api_schema.get_all_operations())}
    routes = routes_of(get_resolver("intake.api.urls").url_patterns, "/api/v1/")
    assert routes <= documented, routes - documented


def test_stateful_runs_follow_the_links(api_schema: schemathesis.BaseSchema, api_token: str) -> None:
    links = [
        (operation.path, name)
        for operation in (result.ok() for result in api_schema.get_all_operations())
        for response in operation.definition.raw.get("responses", {}).values()
        for name in response.get("links", {})
    ]
    assert ("/api/v1/applications/", "GetApplication") in links

    class Workflow(api_schema.as_state_machine()):
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
            return {"headers": {"Authorization": f"Token {api_token}"}}

        def validate_response(self, response: object, case: schemathesis.Case, **kwargs: object) -> None:
            case.validate_response(response, excluded_checks=EXCLUDED_CHECKS)

    Workflow.run(
        settings=settings(CI_SETTINGS, max_examples=10, stateful_step_count=4),
    )
