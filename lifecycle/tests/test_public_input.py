"""What the public sends: the sender's address behind proxies, one comment per solved captcha, keyed digests."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from lifecycle import errors as lifecycle_errors
from lifecycle import public_input
from lifecycle.checks import digest_key_check
from lifecycle.consultation import actions as consultation_actions
from lifecycle.models import CaptchaUse, PublicComment

PROXY = "10.0.0.1"  # the reverse proxy's own address: what REMOTE_ADDR shows behind it


@pytest.fixture
def behind_proxy(settings):
    settings.YUEBIAO_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.YUEBIAO_TRUSTED_PROXIES = 1


def _comment(client, project, forwarded_for: str | None, text: str = "意见"):
    extra = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(reverse("lifecycle:consultation", args=[project.code]),
                       {"text": text, "author_name": "王五"}, **extra)


# ---------------------------------------------------------------------------------------------------------------
# Behind a reverse proxy.

def test_behind_a_proxy_each_client_has_its_own_bucket(client, open_project, enterprise_user, behind_proxy):
    client.force_login(enterprise_user)  # signed in: no captcha, still limited by address
    for i in range(5):
        assert _comment(client, open_project, "198.51.100.1", f"意见 {i}").status_code == 302
    assert _comment(client, open_project, "198.51.100.1").status_code == 429
    # A second member of the public behind the same proxy is not held up by the first.
    assert _comment(client, open_project, "198.51.100.2").status_code == 302
    digests = set(PublicComment.objects.values_list("sender_digest", flat=True))
    assert digests == {consultation_actions.sender_digest("198.51.100.1"), consultation_actions.sender_digest("198.51.100.2")}


def test_forged_left_hand_entries_give_no_new_bucket(client, open_project, enterprise_user, behind_proxy):
    client.force_login(enterprise_user)
    for i in range(5):
        assert _comment(client, open_project, "198.51.100.1", f"意见 {i}").status_code == 302
    # The client writes its own X-Forwarded-For; the proxy appends the address it really saw.
    for forged in ("203.0.113.9, 198.51.100.1", "1.1.1.1, 2.2.2.2, 198.51.100.1", "junk, 198.51.100.1"):
        assert _comment(client, open_project, forged).status_code == 429, forged


def test_two_trusted_proxies_take_the_second_entry_from_the_right(client, open_project, enterprise_user,
                                                                  behind_proxy, settings):
    settings.YUEBIAO_TRUSTED_PROXIES = 2
    client.force_login(enterprise_user)
    assert _comment(client, open_project, "203.0.113.9, 198.51.100.1, 10.0.0.2").status_code == 302
    assert PublicComment.objects.get().sender_digest == consultation_actions.sender_digest("198.51.100.1")


def test_without_the_setting_the_header_is_ignored(client, open_project, enterprise_user, settings):
    settings.YUEBIAO_CLIENT_IP_HEADER = ""
    client.force_login(enterprise_user)
    for i in range(5):
        assert _comment(client, open_project, f"198.51.100.{i}", f"意见 {i}").status_code == 302
    # A header the client chose does not move it to a new bucket: the limit follows REMOTE_ADDR.
    assert _comment(client, open_project, "198.51.100.77").status_code == 429
    assert set(PublicComment.objects.values_list("sender_digest", flat=True)) == {consultation_actions.sender_digest(PROXY)}


def test_the_old_client_address_helper_is_gone():
    # One function for the client address (yuebiao.proxy.client_address), not two that disagree.
    assert not hasattr(public_input, "client_address")
    assert not hasattr(__import__("lifecycle.implementation").implementation, "client_address")


# ---------------------------------------------------------------------------------------------------------------
# The captcha: used up atomically; wrong answers count against the sender.

def _anonymous_post(client, project, challenge, answer=None, text="意见", **extra):
    return client.post(reverse("lifecycle:consultation", args=[project.code]), {
        "text": text, "author_name": "王五", "captcha_id": challenge.id,
        "captcha_answer": challenge.answer if answer is None else answer}, **extra)


@pytest.mark.django_db(transaction=True)
def test_one_solved_captcha_posted_five_times_at_once_gives_one_comment(client, open_project, challenges):
    assert client.get(reverse("lifecycle:consultation", args=[open_project.code])).status_code == 200
    challenge = challenges[-1]
    cookie = client.cookies["sessionid"].value
    barrier = threading.Barrier(5)
    outcomes: list[str] = []

    def post(i: int) -> None:
        browser = Client()
        browser.cookies["sessionid"] = cookie
        try:
            barrier.wait()
            response = _anonymous_post(browser, open_project, challenge, text=f"并发意见 {i}")
            outcomes.append(str(response.status_code) if response.status_code == 302 else
                            ("used" if "已使用" in response.content.decode() else response.content.decode()[:200]))
        except Exception as exc:  # noqa: BLE001 - a lock error would be a failure of this test
            outcomes.append(f"error: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["302"] + ["used"] * 4, outcomes
    assert PublicComment.objects.count() == 1
    assert CaptchaUse.objects.filter(challenge_id=challenge.id, solved=True).count() == 1


def test_a_used_challenge_id_is_refused_even_if_the_session_still_holds_it(open_project):
    session: dict = {}
    challenge = consultation_actions.issue_captcha(session)
    kept = dict(session)  # what a second request read before the first one's session was saved
    solved = consultation_actions.check_captcha(session, challenge.id, challenge.answer, project=open_project)
    consultation_actions.submit_comment(project=open_project, text="第一条", author_name="甲", captcha_id=solved)
    again = consultation_actions.check_captcha(kept, challenge.id, challenge.answer, project=open_project)
    with pytest.raises(lifecycle_errors.CaptchaRefused, match="已使用"):
        consultation_actions.submit_comment(project=open_project, text="第二条", author_name="甲", captcha_id=again)
    assert PublicComment.objects.count() == 1


def test_wrong_answers_count_against_the_sender(client, open_project, challenges):
    url = reverse("lifecycle:consultation", args=[open_project.code])
    for _ in range(5):
        client.get(url)
        wrong = str(int(challenges[-1].answer) + 1)
        response = _anonymous_post(client, open_project, challenges[-1], answer=wrong, REMOTE_ADDR="198.51.100.5")
        assert response.status_code == 400 and "验证码不正确" in response.content.decode()
    client.get(url)
    # The sixth try is not even looked at, right answer or not: guessing is limited like commenting.
    limited = _anonymous_post(client, open_project, challenges[-1], REMOTE_ADDR="198.51.100.5")
    assert limited.status_code == 429 and PublicComment.objects.count() == 0
    assert CaptchaUse.objects.filter(solved=False, sender_digest=consultation_actions.sender_digest("198.51.100.5")).count() == 5
    # Another sender is not affected.
    assert _anonymous_post(client, open_project, challenges[-1], REMOTE_ADDR="198.51.100.6").status_code == 302


def test_a_forgotten_answer_is_not_counted_but_an_unknown_challenge_is(open_project):
    digest = consultation_actions.sender_digest("198.51.100.8")
    with pytest.raises(lifecycle_errors.CaptchaRefused, match="请填写验证码"):
        consultation_actions.check_captcha({}, "abc", "", project=open_project, sender_digest=digest)
    with pytest.raises(lifecycle_errors.CaptchaRefused, match="已使用或已失效"):
        consultation_actions.check_captcha({}, "made-up", "12", project=open_project, sender_digest=digest)
    assert list(CaptchaUse.objects.values_list("challenge_id", "solved", "scope")) == [
        (None, False, open_project.code)]


def test_wrong_feedback_captchas_count_against_the_sender(client, quick_standard, challenges):
    url = reverse("lifecycle:feedback", args=[quick_standard.slug])
    for _ in range(5):
        client.get(url)
        body = {"kind": "problem", "text": "问题", "captcha_id": challenges[-1].id, "captcha_answer": "-1"}
        assert client.post(url, body, REMOTE_ADDR="198.51.100.9").status_code == 400
    client.get(url)
    body = {"kind": "problem", "text": "问题", "captcha_id": challenges[-1].id, "captcha_answer": challenges[-1].answer}
    assert client.post(url, body, REMOTE_ADDR="198.51.100.9").status_code == 429


def test_used_captchas_are_purged_after_two_days(open_project):
    from datetime import timedelta

    from django.utils import timezone

    old = CaptchaUse.objects.create(purpose=consultation_actions.PURPOSE, challenge_id="old", solved=True)
    CaptchaUse.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=3))
    CaptchaUse.objects.create(purpose=consultation_actions.PURPOSE, challenge_id="new", solved=True)
    assert public_input.purge_captcha_uses() == 1
    assert list(CaptchaUse.objects.values_list("challenge_id", flat=True)) == ["new"]


@pytest.fixture
def quick_standard(people, make_record):
    from catalogue.models import Standard
    from catalogue.services import upsert_standards

    upsert_standards([make_record("DB44/T 8801—2020", "反馈用标准", published_on="2020-01-01",
                                  region_code="440000")], source="test")
    standard = Standard.objects.get(number="DB44/T 8801—2020")
    assert standard.level == "local"
    return standard


# ---------------------------------------------------------------------------------------------------------------
# Sender digests: a keyed HMAC with their own secret.

def test_the_sender_digest_is_an_hmac_with_its_own_key(settings):
    settings.YUEBIAO_DIGEST_KEY = "k-one"
    expected = hmac.new(b"k-one", f"{consultation_actions.PURPOSE}.sender:203.0.113.7".encode(), hashlib.sha256).hexdigest()
    first = consultation_actions.sender_digest("203.0.113.7")
    assert first == expected and consultation_actions.sender_digest("") == ""
    settings.YUEBIAO_DIGEST_KEY = "k-two"
    assert consultation_actions.sender_digest("203.0.113.7") != first  # another key, another digest
    # The key, not SECRET_KEY, decides: a known SECRET_KEY (the development one) does not reveal addresses.
    settings.SECRET_KEY = "something-else-entirely-0000000000000000000000000000"
    assert consultation_actions.sender_digest("203.0.113.7") == hmac.new(
        b"k-two", f"{consultation_actions.PURPOSE}.sender:203.0.113.7".encode(), hashlib.sha256).hexdigest()


def test_without_a_key_the_digest_uses_one_derived_from_secret_key(settings):
    settings.YUEBIAO_DIGEST_KEY = ""
    derived = hmac.new(settings.SECRET_KEY.encode(), b"yuebiao.sender-digest", hashlib.sha256).digest()
    assert public_input.digest_key() == derived
    assert consultation_actions.sender_digest("203.0.113.7") == hmac.new(
        derived, f"{consultation_actions.PURPOSE}.sender:203.0.113.7".encode(), hashlib.sha256).hexdigest()


def test_the_deploy_check_reports_a_missing_digest_key(settings, monkeypatch):
    from django.core.checks import registry

    assert digest_key_check in registry.registry.get_checks(include_deployment_checks=True)
    assert digest_key_check not in registry.registry.get_checks(include_deployment_checks=False)
    settings.YUEBIAO_DEV = False
    settings.YUEBIAO_DIGEST_KEY = ""
    settings.YUEBIAO_EPHEMERAL_KEY = True  # no YUEBIAO_SECRET_KEY: a per-process key, digests would not last
    errors = digest_key_check()
    assert [e.id for e in errors] == ["lifecycle.E001"] and "YUEBIAO_DIGEST_KEY" in errors[0].msg
    settings.YUEBIAO_DIGEST_KEY = "a-real-key"
    assert digest_key_check() == []
    settings.YUEBIAO_DIGEST_KEY = ""
    settings.YUEBIAO_EPHEMERAL_KEY = False  # the deployment's own secret key: the derived digest key is stable
    assert digest_key_check() == []
    settings.YUEBIAO_EPHEMERAL_KEY = True
    settings.YUEBIAO_DEV = True
    assert digest_key_check() == []


@pytest.mark.parametrize(("env", "expected"), [
    ({"YUEBIAO_DIGEST_KEY": "from-env"}, "from-env"),
    ({"YUEBIAO_DEV": "1"}, "yuebiao-development-digest-key-not-for-production"),
    ({}, ""),
])
def test_settings_read_the_digest_key_from_the_environment(env, expected):
    clean = {k: v for k, v in os.environ.items() if k not in ("YUEBIAO_DIGEST_KEY", "YUEBIAO_DEV")}
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", "from yuebiao import settings; print(repr(settings.YUEBIAO_DIGEST_KEY))"],
        env={**clean, "YUEBIAO_SECRET_KEY": "s" * 60, **env, "PYTHONPATH": str(root)}, cwd=root,
        capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == repr(expected)
