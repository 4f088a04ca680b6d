"""The `pipeline` command (`python -m pipeline` too): the CLI, started so that Ctrl-C
while its modules load ends it as Ctrl-C anywhere else does (exit 130, "Interrupted."),
not with a traceback of the import under way."""

import sys


def run() -> None:
    try:
        from .cli import main
    except KeyboardInterrupt:
        try:
            sys.stderr.write("Interrupted.\n")
        except (OSError, ValueError):  # stderr is gone: the status says it all
            pass
        raise SystemExit(130) from None  # cli.INTERRUPTED, which did not load
    main()


if __name__ == "__main__":
    run()
