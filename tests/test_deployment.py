"""Production is the default: no serving without a key of its own; HTTPS settings follow the site's address."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def yuebiao(*args: str, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("YUEBIAO_", "DATABASE_URL", "DJANGO_"))}
    base["PYTHONPATH"] = str(REPO)
    return subprocess.run([sys.executable, "-m", "yuebiao.cli", *args], cwd=REPO, capture_output=True, text=True,
                          env={**base, **env}, timeout=timeout)


@pytest.fixture
def var_dir(tmp_path) -> dict[str, str]:
    return {"YUEBIAO_VAR_DIR": str(tmp_path)}


def test_check_deploy_fails_without_a_key(var_dir):
    result = yuebiao("check", "--deploy", env=var_dir)
    assert result.returncode != 0
    assert "yuebiao.E001" in result.stderr and "YUEBIAO_SECRET_KEY" in result.stderr


def test_check_deploy_refuses_development_mode(var_dir):
    result = yuebiao("check", "--deploy", env={**var_dir, "YUEBIAO_DEV": "1"})
    assert result.returncode != 0 and "yuebiao.E002" in result.stderr


def test_check_deploy_is_silent_with_a_key_and_an_https_site(var_dir):
    env = {**var_dir, "YUEBIAO_SECRET_KEY": secrets.token_urlsafe(48)[:50],
           "YUEBIAO_SITE_URL": "https://yuebiao.example.cn"}
    result = yuebiao("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_serving_refuses_to_start_without_a_key(var_dir):
    result = yuebiao("runserver", "127.0.0.1:0", "--noreload", env=var_dir, timeout=60)
    assert result.returncode == 1 and "YUEBIAO_SECRET_KEY" in result.stderr
    serve = yuebiao("serve", env=var_dir, timeout=60)
    assert serve.returncode == 1 and "未设置 YUEBIAO_SECRET_KEY" in serve.stderr
    wsgi = subprocess.run([sys.executable, "-c", "import yuebiao.wsgi"], cwd=REPO, capture_output=True, text=True,
                          env={"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), **var_dir}, timeout=60)
    assert wsgi.returncode != 0
    assert "ImproperlyConfigured" in wsgi.stderr and "未设置 YUEBIAO_SECRET_KEY" in wsgi.stderr
    served = subprocess.run([sys.executable, "-c", "import yuebiao.wsgi"], cwd=REPO, capture_output=True, text=True,
                            env={"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), "YUEBIAO_DEV": "1", **var_dir},
                            timeout=60)
    assert served.returncode == 0, served.stderr


@pytest.mark.slow
def test_commands_work_without_a_key(var_dir):
    """migrate and demo sign nothing lasting: they run on a per-process key (the demo contract builds this way)."""
    assert yuebiao("migrate", "--noinput", env=var_dir).returncode == 0
    assert yuebiao("load-reference", env=var_dir).returncode == 0
    result = yuebiao("demo", "--standards", "60", "--no-lifecycle", env=var_dir, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (Path(var_dir["YUEBIAO_VAR_DIR"]) / "yuebiao.sqlite3").stat().st_size > 0


def test_https_site_turns_on_secure_cookies_hsts_and_redirect():
    code = ("from django.conf import settings as s; import django; django.setup();"
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0,"
            " s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, 'yuebiao.example.cn' in s.ALLOWED_HOSTS,"
            " s.CSRF_TRUSTED_ORIGINS, s.SECURE_PROXY_SSL_HEADER)")
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), "DJANGO_SETTINGS_MODULE": "yuebiao.settings",
           "YUEBIAO_SITE_URL": "https://yuebiao.example.cn", "YUEBIAO_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO"}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, env=env, timeout=60)
    assert out.stdout.split() == ["True"] * 7 + ["['https://yuebiao.example.cn']", "('HTTP_X_FORWARDED_PROTO',",
                                                 "'https')"], out.stderr
    plain = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                           env={**env, "YUEBIAO_SITE_URL": "http://127.0.0.1:8000", "YUEBIAO_PROXY_SSL_HEADER": ""},
                           timeout=60)
    assert plain.stdout.split()[:3] == ["False", "False", "False"], plain.stderr
