"""Tests of the comparison package (pure ones run with -p no:django)."""
