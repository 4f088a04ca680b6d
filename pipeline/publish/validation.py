"""Nothing is published from a catalog with errors: `pipeline validate` before any write.

A build with little to render validates in a forked child while it reads,
renders and plans (none of which writes anything), and waits for the verdict
before its first write: on two cores the two overlap. A big build validates
first, in this process, with the build's workers: each entry validate parses
there is rendered there too, so no file is parsed twice.

Only errors stop a build, so a rule family that can report none but
warnings under the settings (`claims`, by default) is not run for it, nor
reported (validate's `errors_only`): `pipeline validate` makes and shows those.
"""

from __future__ import annotations

import datetime as _dt
import multiprocessing
import os
import pickle

from .. import __version__
from ..config import Settings
from ..errors import PipelineError
from ..parallel import die_with


class ValidationFailed(PipelineError):
    """The catalog has validation errors, so nothing was published."""

    def __init__(self, report: str, result):
        self.result = result
        super().__init__("the catalog has validation errors; nothing was published "
                         "(the previous output is unchanged).\n\n" + report.rstrip())


def _failure(checked) -> ValidationFailed:
    from ..report import ReportOptions, get_reporters

    report = get_reporters()["text"]().render(checked, ReportOptions(tool_version=__version__))
    return ValidationFailed(report, checked)


def refuse_invalid(settings: Settings, today: _dt.date | None = None,
                   jobs: int | None = None, share=None) -> list[str]:
    """Raise ValidationFailed, with validate's text report, when the catalog has errors;
    -> (the stores of front matter validate kept (catalog.parsed), entry file -> digest
    of the bytes it checked). `share`: see validate.WorkerShare."""
    from ..validate import validate

    checked = validate(settings, today=today, jobs=jobs, share=share, errors_only=True)
    if checked.errors:
        raise _failure(checked)
    return checked.parsed, checked.digests


def _child(conn, parent: int, settings: Settings, today, jobs) -> None:
    # as the build's workers: a build killed on its own left this child validating, and
    # holding the output's lock it inherited, till its end (found in review)
    die_with(parent)
    try:
        from ..validate import validate

        checked = validate(settings, today=today, jobs=jobs, errors_only=True)
        conn.send_bytes(pickle.dumps((checked.diagnostics, checked.entries) if checked.errors
                                     else ("passed", checked.parsed, checked.digests)))
    except BaseException:  # noqa: BLE001 - the parent validates again and reports it
        conn.send_bytes(pickle.dumps("failed"))
    finally:
        conn.close()
        os._exit(0)


class Validation:
    """Validate now (`background=False`, at the first `wait()`, lending its workers to
    the build when `share` is given) or in a forked child; `wait()` raises
    ValidationFailed when the catalog has errors (every time it is called, validating
    once)."""

    def __init__(self, settings: Settings, today: _dt.date | None, jobs: int,
                 background: bool, share=None):
        self.args = (settings, today, jobs)
        self.share = share
        self._child = self._conn = None
        self._done = False
        self._failure: Exception | None = None
        self.parsed: list[str] = []  # validate's stores of front matter (catalog.parsed)
        self.digests: dict[str, str] = {}  # entry file -> digest of the bytes checked
        if background and "fork" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("fork")
            self._conn, child_end = ctx.Pipe(duplex=False)
            # not a daemon: validate may start workers of its own
            self._child = ctx.Process(target=_child,
                                      args=(child_end, os.getpid(), *self.args))
            self._child.start()
            child_end.close()

    @property
    def beside(self) -> bool:
        """Whether it runs in a forked child (until `wait()`)."""
        return self._child is not None

    def wait(self) -> None:
        if not self._done:
            try:
                self._outcome()
            except Exception as e:  # noqa: BLE001 - raised again, at every wait
                self._failure = e
            finally:
                self._done = True
        if self._failure is not None:
            raise self._failure

    def _outcome(self) -> None:
        if self._child is None:
            self.parsed, self.digests = refuse_invalid(*self.args, share=self.share)
            return
        try:
            outcome = pickle.loads(self._conn.recv_bytes())
        except (EOFError, OSError, pickle.UnpicklingError):
            outcome = "failed"
        finally:
            self._conn.close()
            self._child.join()
            self._child = None
        if outcome == "failed":  # something went wrong there: see it happen here
            self.parsed, self.digests = refuse_invalid(*self.args)
        elif outcome[0] == "passed":
            self.parsed, self.digests = outcome[1], outcome[2]
        else:
            from ..validate import ValidationResult

            raise _failure(ValidationResult(*outcome))

    def cancel(self) -> None:
        """Stop a background validation that is no longer wanted."""
        if self._child is not None:
            self._child.kill()
            self._child.join()
            self._conn.close()
            self._child = None
