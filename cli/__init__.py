"""The command-line door, installed as ``gan_augment.cli``."""
