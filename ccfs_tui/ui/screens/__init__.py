"""Screens of ccfs-tui: main, tokens, help, index problems, SK prompt."""
