"""The role table and region rule, tested without a database."""

import subprocess
import sys
from pathlib import Path

from accounts.roles import GRANTS, Action, Role, region_within, role_allows


def test_every_role_has_a_row():
    assert set(GRANTS) == set(Role)


def test_public_action_needs_no_role():
    assert role_allows(set(), Action.PUBLIC)


def test_import_is_for_bureaus_only():
    allowed = {r for r in Role if role_allows({r.value}, Action.CATALOGUE_IMPORT)}
    assert allowed == {Role.PROVINCIAL_ADMIN, Role.PROVINCIAL_OFFICER, Role.CITY_OFFICER}


def test_unknown_role_grants_nothing():
    assert not role_allows({"janitor"}, Action.CATALOGUE_IMPORT)


def test_region_within():
    assert region_within("440103", "440100")
    assert region_within("440100", "440000")
    assert not region_within("440300", "440100")
    assert not region_within("441000", "441200")
    assert not region_within(None, "440000")
    assert not region_within("440100", "")


def test_roles_module_is_pure():
    repo = Path(__file__).resolve().parents[2]
    code = f"import sys; sys.path.insert(0, {str(repo)!r}); import accounts.roles; " \
           "assert not any(m.startswith('django') for m in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)
