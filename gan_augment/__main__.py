"""``python -m gan_augment ...``: the same command line as ``gan-augment ...``."""

import sys

from gan_augment.cli.main import console

if __name__ == "__main__":
    sys.exit(console(prog_name="python -m gan_augment"))
