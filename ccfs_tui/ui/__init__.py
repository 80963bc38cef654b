"""The Textual UI of ccfs-tui. Imports the core; the core never imports this package."""
