"""`python -m reelforge.storage`: run the storage service."""

from reelforge.runtime.app import serve

from .bootstrap import bootstrap


def main() -> None:
    app, runtime = bootstrap()
    serve(app, runtime.settings)


if __name__ == "__main__":
    main()
