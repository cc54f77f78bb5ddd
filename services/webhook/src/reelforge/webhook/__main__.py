"""`python -m reelforge.webhook`: run the webhook service (the HTTP edge)."""

from reelforge.runtime.app import serve

from .bootstrap import bootstrap


def main() -> None:
    app, runtime = bootstrap()
    serve(app, runtime.settings)


if __name__ == "__main__":
    main()
