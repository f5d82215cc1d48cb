"""``python -m gan_augment ...``: the same command line as ``gan-augment ...``."""

import sys

from gan_augment.cli.main import main

if __name__ == "__main__":
    sys.exit(main(prog_name="python -m gan_augment"))
