"""The small exception hierarchy of the library.

The CLI turns a PipelineError into a message and an exit code in one place;
the library never prints and never exits.
"""


class PipelineError(Exception):
    """Something the user can fix; the message says what and where."""

    exit_code = 1


class SettingsError(PipelineError):
    """The settings file is missing or wrong (exit code 2)."""

    exit_code = 2


class UsageError(PipelineError):
    """A command was asked for something it cannot do (exit code 2)."""

    exit_code = 2


class ChangedDuringBuild(PipelineError):
    """An entry file was saved while the build read it: nothing was published; the next
    build (`pipeline serve` starts one by itself) reads it as saved."""

    def __init__(self, message: str, file: str = ""):
        super().__init__(message)
        self.file = file
