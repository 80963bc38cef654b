"""Pure core of ccfs-tui: never imports Textual (tests/test_architecture.py guards it)."""
