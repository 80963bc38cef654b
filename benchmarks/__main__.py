"""``python -m benchmarks``: the one benchmark command."""

from benchmarks.run import main

raise SystemExit(main())
