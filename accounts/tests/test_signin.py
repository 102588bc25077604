"""Sign-in protection: django-axes locks a (user name, address) pair on the platform and the admin alike; an optional
second factor (TOTP) for officers and administrators; every sign-in event goes into the trail."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browsing import TEST_PASSWORD
from trail.models import Event

LOGIN = "/accounts/login/"


def _fail(client, username, times, *, url=LOGIN, address="127.0.0.1"):
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "wrong-guess-1"}, REMOTE_ADDR=address)
    return response


def _events(subject_prefix="accounts.") -> list[tuple[str, dict]]:
    rows = Event.objects.filter(subject__startswith=subject_prefix).order_by("id")
    return [(e.kind, json.loads(e.data)) for e in rows]


@pytest.mark.django_db
def test_ten_failures_lock_the_name_at_that_address_only(client, officer):
    assert _fail(client, "officer", 9).status_code == 200
    locked = _fail(client, "officer", 1)
    assert locked.status_code == 429 and "登录失败次数过多，请 15 分钟后再试" in locked.content.decode()
    # The right password from the locked address is refused without being checked.
    again = client.post(LOGIN, {"username": "officer", "password": TEST_PASSWORD})
    assert again.status_code == 429 and "_auth_user_id" not in client.session
    # The same name from another address is not locked: a guesser cannot lock an official out.
    elsewhere = client.post(LOGIN, {"username": "officer", "password": TEST_PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_admin_login_is_behind_the_same_lock(client, make_user):
    admin = make_user("boss", "provincial_admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    url = "/admin/login/?next=/admin/"
    assert _fail(client, "boss", 10, url=url).status_code == 429
    refused = client.post(url, {"username": "boss", "password": TEST_PASSWORD, "next": "/admin/"})
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    # The platform's own sign-in page shares the count: the same pair is locked there too.
    assert client.post(LOGIN, {"username": "boss", "password": TEST_PASSWORD}).status_code == 429


@pytest.mark.django_db
def test_lock_out_page_in_english(client, officer):
    client.cookies["django_language"] = "en"
    locked = _fail(client, "officer", 10)
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.content.decode()


@pytest.mark.django_db
def test_sign_ins_failures_lock_outs_and_sign_outs_go_into_the_trail(client, officer):
    client.post(LOGIN, {"username": "officer", "password": "wrong-guess-1"})
    client.post(LOGIN, {"username": "officer", "password": TEST_PASSWORD})
    client.post(reverse("accounts:logout"))
    _fail(client, "nobody-here", 11, address="10.9.9.9")
    # The account's chain also holds its own changes (created, role_granted): the sign-in events carry an outcome.
    kinds = [(kind, data["outcome"]) for kind, data in _events(f"accounts.user:{officer.pk}") if "outcome" in data]
    assert kinds == [("sign_in_failed", "wrong_credentials"), ("signed_in", "password_accepted"),
                     ("signed_out", "signed_out")]
    unknown = _events("accounts.signin")
    assert [k for k, _ in unknown] == ["sign_in_failed"] * 10 + ["locked_out", "sign_in_refused"]
    assert unknown[0][1] == {"username": "nobody-here", "address": "10.9.9.9", "outcome": "wrong_credentials"}
    everything = json.dumps(_events(""), ensure_ascii=False)
    assert "wrong-guess-1" not in everything and TEST_PASSWORD not in everything


@pytest.fixture
def totp_for_officers(settings):
    settings.YUEBIAO_REQUIRE_TOTP_ROLES = ["provincial_admin", "provincial_officer", "city_officer"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the test types a wrong code and then the right one at once


def _code(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


@pytest.mark.django_db
def test_second_factor_enrolment_then_verification(client, officer, totp_for_officers):
    signed = client.post(LOGIN, {"username": "officer", "password": TEST_PASSWORD, "next": "/accounts/me/"})
    assert signed.status_code == 302
    held = client.get("/accounts/me/")
    assert held.status_code == 302 and held["Location"].startswith(reverse("accounts:totp_setup"))
    assert client.get("/api/lifecycle/projects").status_code == 403
    page = client.get(held["Location"])
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert device.config_url.split("secret=")[1][:8] in page.content.decode().replace(" ", "")
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    refused = client.post(reverse("accounts:totp_setup"), {"code": wrong, "next": "/accounts/me/"})
    assert refused.status_code == 200 and "动态验证码不正确" in refused.content.decode()
    assert client.get("/accounts/me/").status_code == 302
    ok = client.post(reverse("accounts:totp_setup"), {"code": _code(device), "next": "/accounts/me/"})
    assert ok.status_code == 302 and ok["Location"] == "/accounts/me/"
    assert client.get("/accounts/me/").status_code == 200
    # Next sign-in: password, then a code (the next time step: a code is never accepted twice).
    client.post(reverse("accounts:logout"))
    client.post(LOGIN, {"username": "officer", "password": TEST_PASSWORD})
    held = client.get("/accounts/me/")
    assert held["Location"].startswith(reverse("accounts:totp_verify"))
    device.refresh_from_db()
    assert client.post(reverse("accounts:totp_verify"), {"code": wrong}).status_code == 200
    assert client.get("/accounts/me/").status_code == 302
    assert client.post(reverse("accounts:totp_verify"), {"code": _code(device, drift=1)}).status_code == 302
    assert client.get("/accounts/me/").status_code == 200
    kinds = [k for k, _ in _events(f"accounts.user:{officer.pk}") if k.startswith("second_factor")]
    assert kinds == ["second_factor_failed", "second_factor_enrolled", "second_factor_failed",
                     "second_factor_passed"]


@pytest.mark.django_db
def test_admin_requires_the_second_factor_too(client, make_user, totp_for_officers):
    admin = make_user("boss", "provincial_admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    device = TOTPDevice.objects.create(user=admin, name="TOTP", confirmed=True)
    client.post("/admin/login/?next=/admin/", {"username": "boss", "password": TEST_PASSWORD, "next": "/admin/"})
    held = client.get("/admin/")
    assert held.status_code == 302 and held["Location"].startswith(reverse("accounts:totp_verify"))
    client.post(reverse("accounts:totp_verify"), {"code": _code(device), "next": "/admin/"})
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_no_second_factor_unless_the_setting_names_the_role(client, officer, enterprise_user, settings):
    settings.YUEBIAO_REQUIRE_TOTP_ROLES = []
    client.post(LOGIN, {"username": "officer", "password": TEST_PASSWORD})
    assert client.get("/accounts/me/").status_code == 200
    settings.YUEBIAO_REQUIRE_TOTP_ROLES = ["provincial_officer"]
    client.post(reverse("accounts:logout"))
    client.post(LOGIN, {"username": "ent", "password": TEST_PASSWORD})
    assert client.get("/accounts/me/").status_code == 200


@pytest.mark.django_db
def test_provincial_admin_resets_a_device_and_others_may_not(client, make_user, officer, totp_for_officers):
    admin = make_user("boss", "provincial_admin")
    TOTPDevice.objects.create(user=officer, name="TOTP", confirmed=True)
    admin_device = TOTPDevice.objects.create(user=admin, name="TOTP", confirmed=True)
    city = make_user("gz", "city_officer", region="440100")
    client.force_login(city)
    TOTPDevice.objects.create(user=city, name="TOTP", confirmed=True)
    session = client.session
    session.save()
    client.post(reverse("accounts:totp_verify"), {"code": _code(TOTPDevice.objects.get(user=city))})
    assert client.post(reverse("accounts:totp_reset"), {"username": "officer"}).status_code == 403
    assert TOTPDevice.objects.filter(user=officer).exists()
    client.force_login(admin)
    client.post(reverse("accounts:totp_verify"), {"code": _code(admin_device)})
    missing = client.post(reverse("accounts:totp_reset"), {"username": "no-such-user"})
    assert missing.status_code == 200 and "没有这个用户" in missing.content.decode()
    assert client.post(reverse("accounts:totp_reset"), {"username": "officer"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    event = Event.objects.filter(subject=f"accounts.user:{officer.pk}", kind="second_factor_reset").get()
    assert event.actor == admin and json.loads(event.data)["outcome"] == "devices_removed:1"
