"""The hardening bench's own logic: which URLs carry the NUL, and when project codes count as consecutive."""

from bench.hardening_bench import consecutive, nul_urls

VALUES = {"slug": "db44-t-1-2020", "code": "2026-0001", "kind": "ics"}


def test_each_string_parameter_gets_its_own_nul_and_every_route_one_in_the_query():
    urls = nul_urls(["standards/<str:slug>/", "lifecycle/projects/<str:code>/documents/<int:pk>/", "search/",
                     "api/compare/<key>"], VALUES)
    assert urls == [
        "/standards/db44-t-1-2020%00/", "/standards/db44-t-1-2020/?q=%00",
        # an integer parameter keeps a real value: a NUL there would only miss the route, never reach a view
        "/lifecycle/projects/2026-0001%00/documents/1/", "/lifecycle/projects/2026-0001/documents/1/?q=%00",
        "/search/?q=%00",
        # a parameter without a demo value still gets one, so that only the NUL makes the request wrong
        "/api/compare/x%00", "/api/compare/x?q=%00",
    ]


def test_two_string_parameters_give_two_urls_each_with_one_nul():
    urls = nul_urls(["classification/<str:kind>/<str:code>/"], VALUES)
    assert urls[:2] == ["/classification/ics%00/2026-0001/", "/classification/ics/2026-0001%00/"]


def test_codes_are_consecutive_only_without_gap_repeat_or_second_year():
    assert consecutive(["2026-0012", "2026-0010", "2026-0011"])
    assert consecutive([])
    assert not consecutive(["2026-0010", "2026-0012"])
    assert not consecutive(["2026-0010", "2026-0010"])
    assert not consecutive(["2026-0010", "2027-0011"])
