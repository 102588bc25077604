"""The effects of each action are dispatched through one table: every action of the transition table is in it or
is declared to change nothing but the state, never both."""

from lifecycle.projects import effects as project_effects
from lifecycle.transitions import TABLE, Action


def test_every_action_has_an_effect_handler_or_is_declared_without_effects():
    handled = set(project_effects.EFFECT_HANDLERS)
    assert handled.isdisjoint(project_effects.NO_EFFECTS)
    assert handled | project_effects.NO_EFFECTS == set(Action)


def test_every_action_the_table_allows_is_dispatched():
    assert {row.action for row in TABLE} <= set(project_effects.EFFECT_HANDLERS) | project_effects.NO_EFFECTS
