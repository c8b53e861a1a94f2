"""`python -m digitalmarket.cli`: the command line, as the tests, the benches and the browser tests start it."""

from . import app

if __name__ == "__main__":
    app()
