"""ccfs-tui: find, sign for and play Huawei CC-FS call recordings from a terminal."""

__version__ = "0.1.0"
