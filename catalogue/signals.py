"""Signals the catalogue sends, so that rooms built on it can react without the catalogue importing them."""

from django.dispatch import Signal

# Sent after the transaction that attached a standard's full text commits; kwargs: standard_id.
full_text_attached = Signal()

# Sent once per upsert_standards call, after its transaction commits, when the written standards replace others
# or are withdrawn. kwargs: numbers (every replaced or withdrawn canonical number), replaced_by
# ({replaced number: [numbers of the standards written that replace it]}) and withdrawn (the withdrawn numbers).
standards_superseded = Signal()
