"""The transition table on its own: every state × every role × every action, with and without its requirements."""

import itertools
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifecycle import transitions as t
from lifecycle.transitions import TABLE, Action, Doc, Facts, Role, State, decide

ALL_DOCS = frozenset(d.value for d in Doc)
# Facts under which every condition of every row holds (each condition's happy side).
GOOD = Facts(documents=ALL_DOCS, reason_given=True, publicity_elapsed=True, consultation_elapsed=True,
             unanswered_comments=0, review_decision="pass", missing_conclusions=0, filed=False, disclosed=True,
             implementation_date_reached=True, evaluation_scored=True, extension_pending=True, review_due=True)


def good_facts(row: t.Transition) -> Facts:
    """Facts satisfying exactly this row's conditions (some conditions are opposites of others)."""
    values = dict(GOOD.__dict__)
    names = {c.name for c in row.conditions}
    if "review_failed" in names:
        values["review_decision"] = "fail"
    if "not_disclosed" in names:
        values["disclosed"] = False
    if "no_extension_pending" in names:
        values["extension_pending"] = False
    return Facts(**values)


def test_pure_module_imports_without_django():
    code = "import sys; import lifecycle.transitions, lifecycle.deadlines; assert 'django' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PATH": "/usr/bin"},
                            cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("state,role,action", list(itertools.product(State, Role, Action)))
def test_every_state_role_action(state, role, action):
    """Allowed exactly when the table has a row for (state, action) naming the role — given the row's facts."""
    row = t.transition_for(state, action)
    facts = good_facts(row) if row else GOOD
    decision = decide(state, action, {role}, facts)
    expected = row is not None and role in row.roles
    assert decision.allowed is expected
    if expected:
        assert decision.next_state == (row.target or state)
        assert decision.refusals == ()
    else:
        assert decision.refusals, "a refusal always says why"
        assert all(isinstance(r, str) and r for r in decision.refusals)


@pytest.mark.parametrize("row", TABLE, ids=lambda r: f"{r.source}-{r.action}")
def test_each_requirement_is_enforced_and_named(row):
    role = sorted(row.roles)[0]
    base = good_facts(row)
    assert decide(row.source, row.action, {role}, base).allowed
    for doc in row.documents:
        facts = Facts(**{**base.__dict__, "documents": base.documents - {doc.value}})
        decision = decide(row.source, row.action, {role}, facts)
        assert not decision.allowed and t.DOC_LABELS[doc][0] in decision.message
    for condition in row.conditions:
        # Flip the one fact the condition reads until it fails; the refusal names it.
        for field, bad in (("publicity_elapsed", False), ("consultation_elapsed", False),
                           ("unanswered_comments", 3), ("review_decision", None), ("missing_conclusions", 2),
                           ("filed", True), ("disclosed", not base.disclosed),
                           ("implementation_date_reached", False), ("evaluation_scored", False),
                           ("extension_pending", not base.extension_pending), ("review_due", False)):
            facts = Facts(**{**base.__dict__, field: bad})
            if not condition.holds(facts):
                decision = decide(row.source, row.action, {role}, facts)
                assert not decision.allowed and condition.refusal_zh in decision.refusals
                break
        else:
            pytest.fail(f"no fact makes {condition.name} fail")
    if row.needs_reason:
        facts = Facts(**{**base.__dict__, "reason_given": False})
        assert "须填写理由" in decide(row.source, row.action, {role}, facts).refusals


def test_all_failures_are_reported_together():
    decision = decide(State.RESOLUTION, Action.SUBMIT_FOR_REVIEW, {Role.BUREAU}, Facts(unanswered_comments=4))
    assert not decision.allowed
    assert len(decision.refusals) == 3  # wrong role, missing documents, unanswered comments
    assert "起草单位" in decision.refusals[0]
    assert "意见汇总处理表" in decision.refusals[1] and "送审稿" in decision.refusals[1]


def test_unknown_state_or_action_is_refused_not_raised():
    assert not decide("nonsense", Action.CANCEL, {Role.BUREAU}).allowed
    assert not decide(State.DRAFTING, "explode", {Role.BUREAU}).allowed
    assert not decide(State.DRAFTING, Action.CANCEL, {"not-a-role"}, GOOD).allowed


def test_terminal_states_have_no_way_out():
    for state in t.TERMINAL:
        assert [row for row in TABLE if row.source == state] == []
        assert t.action_holders(state) == frozenset()


def test_every_non_terminal_state_can_be_left_and_reached():
    reachable = {State.APPLICATION}
    frontier = [State.APPLICATION]
    while frontier:
        state = frontier.pop()
        for row in TABLE:
            if row.source == state and row.next_state not in reachable:
                reachable.add(row.next_state)
                frontier.append(row.next_state)
    assert reachable == set(State)
    for state in set(State) - t.TERMINAL:
        assert any(r.source == state and r.target not in (None, state) for r in TABLE), state


def test_main_line_is_a_path_of_the_table():
    for a, b in zip(t.MAIN_LINE, t.MAIN_LINE[1:]):
        assert any(r.source == a and r.target == b for r in TABLE), (a, b)


def test_consultation_needs_the_draft_and_the_explanatory_report():
    row = t.transition_for(State.DRAFTING, Action.PUBLISH_DRAFT)
    assert set(row.documents) == {Doc.DRAFT_FOR_COMMENT, Doc.EXPLANATORY_REPORT}


def test_technical_review_cannot_be_reached_with_an_unanswered_comment():
    for n in (1, 7):
        assert not decide(State.RESOLUTION, Action.SUBMIT_FOR_REVIEW, {Role.DRAFTER},
                          Facts(documents=ALL_DOCS, unanswered_comments=n)).allowed
    assert decide(State.RESOLUTION, Action.SUBMIT_FOR_REVIEW, {Role.DRAFTER}, Facts(documents=ALL_DOCS)).allowed


@given(st.sampled_from(list(State)), st.sampled_from(list(Action)),
       st.sets(st.sampled_from(list(Role))), st.builds(Facts, documents=st.frozensets(st.sampled_from(list(ALL_DOCS)))))
def test_decide_is_total_and_consistent(state, action, roles, facts):
    decision = decide(state, action, roles, facts)
    assert decision.allowed == (not decision.refusals)
    if decision.allowed:
        row = t.transition_for(state, action)
        assert row is not None and roles & row.roles


def test_available_actions_match_the_roles():
    bureau = {row.action for row in t.available_actions(State.APPROVAL, {Role.BUREAU})}
    assert bureau == {Action.APPROVE_PUBLICATION, Action.RETURN_FOR_CHANGES, Action.CANCEL,
                      Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION}
    assert t.available_actions(State.APPROVAL, {Role.EVALUATOR}) == []


def test_action_holders():
    assert t.action_holders(State.RESOLUTION) == {Role.DRAFTER}
    assert t.action_holders(State.TECHNICAL_REVIEW) == {Role.DRAFTER, Role.COMMITTEE}
    assert t.action_holders(State.APPROVAL) == {Role.BUREAU}
    assert Role.SYSTEM not in t.action_holders(State.PUBLISHED)


def test_every_condition_has_a_label():
    names = {c.name for row in TABLE for c in row.conditions}
    assert names <= set(t.CONDITION_LABELS)
