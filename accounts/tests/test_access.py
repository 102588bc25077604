"""Nobody gets in where they do not belong: every page and endpoint declares its access, and wrong roles are refused."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.permissions import can
from accounts.roles import Action


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_every_page_declares_who_may_use_it():
    undeclared = []
    for route, view in _walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "api/")):
            continue  # admin: Django's staff check; api: checked operation by operation below
        if not hasattr(view, "access_action"):
            undeclared.append(route)
    assert undeclared == []


def test_every_api_operation_declares_who_may_use_it():
    from yuebiao.api import api

    schema = api.get_openapi_schema()
    missing = [
        f"{method.upper()} {path}"
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if "x-yuebiao-access" not in op
    ]
    assert missing == []


@pytest.mark.django_db
def test_can_respects_roles_and_regions(make_user):
    from accounts.models import Organisation
    from catalogue.models import Standard

    city = make_user("gz", "city_officer", region="440100", kind=Organisation.Kind.CITY_BUREAU)
    prov = make_user("prov", "provincial_officer")
    ent = make_user("ent2", "enterprise_user", region="440600", kind=Organisation.Kind.ENTERPRISE)
    # Who maintains a standard follows the issuing region in its number, not the region it is filed under.
    in_gz = Standard(prefix="DB4401/T", level="local", region_id="440303")
    in_sz = Standard(prefix="DB4403/T", level="local", region_id="440103")
    provincial = Standard(prefix="DB44/T", level="local", region_id="440100")
    national = Standard(prefix="GB/T", level="national", region_id="440100")
    assert can(city, Action.CATALOGUE_EDIT, in_gz)
    assert not can(city, Action.CATALOGUE_EDIT, in_sz)
    assert not can(city, Action.CATALOGUE_EDIT, provincial) and not can(city, Action.CATALOGUE_EDIT, national)
    assert can(prov, Action.CATALOGUE_EDIT, in_sz) and can(prov, Action.CATALOGUE_EDIT, national)
    assert not can(ent, Action.CATALOGUE_IMPORT)
    assert can(ent, Action.PUBLIC)
    ent.is_active = False
    assert not can(ent, Action.AUTHENTICATED)


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_and_wrong_role_gets_403(client, enterprise_user):
    url = reverse("catalogue:import")
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    client.force_login(enterprise_user)
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403
