"""Errors that gan-augment raises on purpose, each naming what is at fault and what to do."""


class DataValidationError(ValueError):
    """The data given (a column, a file, a class) cannot be used as it is."""


class ModelFileError(ValueError):
    """A saved model or checkpoint is missing, truncated, foreign or was modified."""


class CheckpointMismatchError(ModelFileError):
    """A checkpoint folder holds the training of other data or settings. ``describe(spelling)``
    says so with the settings spelt as the caller's users write them (``{"random_state": "--seed"}``;
    None: as Python keywords, which the message is)."""

    def __init__(self, describe):
        self.describe = describe
        super().__init__(describe(None))


class TrainingDivergedError(RuntimeError):
    """Training produced non-finite losses or weights; no model is returned."""


class DistributedError(RuntimeError):
    """A data-parallel run cannot start or go on: no process group, or another process stopped."""


class ModeCollapseWarning(UserWarning):
    """The synthetic samples of a class are far less varied than its real ones (see diversity_)."""


class LowCoverageWarning(UserWarning):
    """A topped-up class's synthetic samples cover much less of it than as many real samples would."""


class SmallClassWarning(UserWarning):
    """A class is topped up from so few real samples (or distinct ones) that most synthetic ones will
    be near copies, or from samples that other classes hold as well, so that its synthetic ones will
    look like theirs."""


class LabelGateWarning(UserWarning):
    """The label gate does not serve a class to top up (its judge tells the class apart too seldom,
    or keeps too few of its synthetic samples): it is sampled without the gate, or, where the gate
    was asked for (``label_gate=True``), sampling it is refused."""


class LabelSpellingWarning(UserWarning):
    """Two classes of the target differ only in spaces or case ('fraud' and 'fraud '): most often one
    class written two ways. They are kept apart, as written."""


class NothingToAddWarning(UserWarning):
    """A class asked to be topped up to the majority count has it already: no rows are added to it."""
