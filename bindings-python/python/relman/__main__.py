"""``python -m relman``: the ``relman`` command."""

from ._cli import main

if __name__ == "__main__":
    main()
