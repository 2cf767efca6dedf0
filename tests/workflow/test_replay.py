"""An application replayed as of its decision gives the same findings after newer versions."""

import io

import pytest
from django.core.management import CommandError, call_command

from intake.api.serializers import ApplicationInputSerializer
from intake.services import application_submit
from rules.services import list_import
from tests.conftest import application_document, trusted_channel
from workflow.services import check_run

pytestmark = pytest.mark.django_db


def _decided(name: str):
    serializer = ApplicationInputSerializer(data=application_document(name=name))
    serializer.is_valid(raise_exception=True)
    application = application_submit(
        document=serializer.validated_data, presence_attested_by=trusted_channel()
    ).application
    for check in application.checks.all():
        check_run(check_id=check.id)
    application.refresh_from_db()
    return application


def test_replay_as_of_the_decision_matches_after_a_new_version(libraries, citizens):
    application = _decided("深圳市星河博彩有限公司")
    assert application.status == "dispatching"  # 博彩 was not a prohibited word then
    list_import(kind="name_words", text="word,level,reason\n博彩,prohibited,赌博类用语\n", publish=True)

    out = io.StringIO()
    call_command("replay_application", str(application.id), stdout=out)

    assert '"same": true' in out.getvalue()
    # Checked today, the same name is rejected: the new version is in effect for new checks.
    assert _decided("深圳市星河博彩网络有限公司").status == "rejected"


def test_replay_refuses_an_undecided_or_unknown_application(libraries, citizens):
    serializer = ApplicationInputSerializer(data=application_document())
    serializer.is_valid(raise_exception=True)
    application = application_submit(
        document=serializer.validated_data, presence_attested_by=trusted_channel()
    ).application
    with pytest.raises(CommandError, match="not been decided"):
        call_command("replay_application", str(application.id), stdout=io.StringIO())
    with pytest.raises(CommandError, match="no application"):
        call_command("replay_application", "00000000-0000-0000-0000-000000000000", stdout=io.StringIO())
