"""What one request builds once (cms.access.per_request) stays with that request and
that caller."""

from cms.access import ANONYMOUS, Caller, answering, per_request


class Builds:
    def __init__(self):
        self.n = 0

    def __call__(self):
        self.n += 1
        return object()


def test_built_once_while_answering_the_caller():
    caller, build = Caller.member_of(1), Builds()
    with answering(caller):
        first = per_request(caller, "k", build)
        assert per_request(caller, "k", build) is first
    assert build.n == 1


def test_each_request_builds_anew(db):
    build = Builds()
    for _ in range(2):
        with answering(ANONYMOUS):
            per_request(ANONYMOUS, "k", build)
    assert build.n == 2


def test_outside_a_request_nothing_is_kept():
    build = Builds()
    per_request(ANONYMOUS, "k", build)
    per_request(ANONYMOUS, "k", build)
    assert build.n == 2


def test_another_caller_in_the_same_request_is_not_answered_from_the_memo():
    class Token:
        scopes = ["tickets"]

    service, build = Caller.of_service(Token()), Builds()
    acting = service.acting_for(7)
    assert acting is not service and acting.company_id == 7
    with answering(service):
        per_request(service, "k", build)
        per_request(acting, "k", build)
        per_request(service.acting_for(8), "k", build)
        per_request(Caller.member_of(1), "k", build)
    assert build.n == 4


def test_view_restrictions_are_read_once_per_request(db):
    """The SQL rule and the engine's rule share one read of the view restrictions;
    the next request reads them again (a new restriction is seen at once)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import Page, PageViewRestriction

    from cms.visibility import restricted_sections

    with answering(ANONYMOUS), CaptureQueriesContext(connection) as queries:
        assert restricted_sections() == []
        assert restricted_sections() == []
    assert len(queries) == 1
    root = Page.objects.get(depth=1)
    page = root.add_child(instance=Page(title="Privée", slug="privee"))
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.LOGIN
    )
    with answering(ANONYMOUS):
        assert restricted_sections() == [(page.path, page.depth)]
