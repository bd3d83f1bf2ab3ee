"""Analysis: what is read from assessments and profiles (agreement between raters, ...).

The layer above scoring: it reads entries and profiles and never changes them.
"""
