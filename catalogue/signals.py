"""Signals the catalogue sends, so that rooms built on it can react without the catalogue importing them."""

from django.dispatch import Signal

# Sent after the transaction that attached a standard's full text commits; kwargs: standard_id.
full_text_attached = Signal()
