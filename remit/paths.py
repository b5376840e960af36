"""Where the project's top-level folders are, in a checkout and when installed.

``translations/``, ``content/`` and ``docs/`` live at the top of the repository (where
translators and writers find them); ``pip install .`` puts copies under
``<prefix>/share/remit/`` (``data_files`` in setup.cfg).
"""

from __future__ import annotations

import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def project_folder(name: str) -> Path:
    """The checkout's ``name`` folder if there is one, else the installed copy."""
    checkout = CHECKOUT / name
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "remit" / name
