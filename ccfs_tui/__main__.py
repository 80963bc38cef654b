"""Allow ``python -m ccfs_tui``."""

from ccfs_tui.cli import main

raise SystemExit(main())
