"""`python -m reelforge.webhook`: run the webhook service."""

from reelforge.runtime.app import serve

from .bootstrap import bootstrap, tune_process


def main() -> None:
    service = bootstrap()
    tune_process()
    serve(service.app, service.settings)


if __name__ == "__main__":
    main()
