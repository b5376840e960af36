"""``python -m remit`` is the ``remit`` command."""

from .cli import main

main()
