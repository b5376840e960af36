"""World Bank Remittance Prices Worldwide (RPW) data: read, parse, load."""

from .load import ImportReport, import_rpw
from .read import RpwFileError

__all__ = ["ImportReport", "RpwFileError", "import_rpw"]
