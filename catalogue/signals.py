"""Signals the catalogue sends, so that rooms built on it can react without the catalogue importing them."""

from django.dispatch import Signal

# Sent before a full text is stored, outside any transaction; kwargs: data (the bytes), filename. A receiver that
# reads texts refuses an unreadable one by raising catalogue.services.FullTextRefused (nothing is stored then) and
# may return a callable taking the standard, called in the storing transaction to keep what it read.
full_text_submitted = Signal()

# Sent after the transaction that attached a standard's full text commits; kwargs: standard_id.
full_text_attached = Signal()

# Sent once per upsert_standards call, after its transaction commits, when the written standards replace others
# or are withdrawn. kwargs: numbers (every replaced or withdrawn canonical number), replaced_by
# ({replaced number: [numbers of the standards written that replace it]}) and withdrawn (the withdrawn numbers).
standards_superseded = Signal()
