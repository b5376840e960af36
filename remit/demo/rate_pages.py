"""Demo answers of the banks without a plain XML or JSON list: Armenia, Tunisia, ECB, Türkiye.

The Central Bank of Armenia answers SOAP with a .NET DataSet (an inline schema, then a
diffgram of rows); the Central Bank of Tunisia an HTML fragment with two tables (interbank
averages, then banknotes); the ECB SDMX CSV over a date range; the Central Bank of Türkiye
EVDS JSON, buying and selling series per calendar day. Dates and series come from the
request itself, so each answer is exactly what was asked for.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qs

from scrapers.base import Request

from .market import LISTS, bank_rate, figure, places, plain, to_json

SOAP_OPEN = ('<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
             'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
             'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
             'xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>')
SOAP_CLOSE = "</soap:Body></soap:Envelope>"
# The DataSet's columns and their XML Schema types, in the order the rows carry them.
CBA_COLUMNS = (("Rate", "xs:decimal"), ("Amount", "xs:int"), ("ISO", "xs:string"),
               ("Diff", "xs:decimal"), ("RateDate", "xs:dateTime"))
YEREVAN = timezone(timedelta(hours=4))
ISTANBUL = timezone(timedelta(hours=3))
FRENCH = {"DZD": "DINAR ALGERIEN", "USD": "DOLLAR DES USA", "MAD": "DIRHAM MAROCAIN",
          "EUR": "EURO"}
HALF_SPREAD = {"USD": Decimal("0.0009"), "EUR": Decimal("0.0009"), "RUB": Decimal("0.0065"),
               "AZN": Decimal("0.0065")}   # TCMB's buying and selling sit this far off mid


def _business_days(start: date, end: date) -> list[date]:
    """Monday to Friday from start to end: none of these banks fixes at weekends."""
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [day for day in days if day.weekday() < 5]


def _tag(body: str, name: str) -> str:
    found = re.search(rf"<{name}>([^<]*)</{name}>", body)
    if found is None:
        raise ValueError(f"the demo answers only the date-range request, not {body[:80]!r}")
    return found.group(1)


# ---- Central Bank of Armenia


def _cba_digits(raw: Decimal) -> int:
    """CBA prints five significant digits (380.40, 4.3499), at least two decimals."""
    return max(2, 5 - len(str(int(raw)))) if raw >= 1 else 4


def _cba_row(number: int, code: str, day: date, days_before: int) -> str:
    units = LISTS["cba"][code]
    raw = bank_rate("cba", code, "AMD", days_before) * units
    digits = _cba_digits(raw)
    value = places(raw, digits)
    diff = value - places(bank_rate("cba", code, "AMD", days_before + 1) * units, digits)
    stamp = datetime.combine(day, time(), YEREVAN).isoformat()
    return (f'<ExchangeRatesByRange diffgr:id="ExchangeRatesByRange{number}" '
            f'msdata:rowOrder="{number - 1}"><Rate>{value}</Rate><Amount>{units}</Amount>'
            f"<ISO>{code}</ISO><Diff>{diff}</Diff><RateDate>{stamp}</RateDate>"
            "</ExchangeRatesByRange>")


def _cba_schema() -> str:
    columns = "".join(f'<xs:element name="{name}" type="{kind}" minOccurs="0" />'
                      for name, kind in CBA_COLUMNS)
    return ('<xs:schema id="NewDataSet" xmlns="" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            'xmlns:msdata="urn:schemas-microsoft-com:xml-msdata"><xs:element name="NewDataSet" '
            'msdata:IsDataSet="true" msdata:MainDataTable="ExchangeRatesByRange" '
            'msdata:UseCurrentLocale="true"><xs:complexType><xs:choice minOccurs="0" '
            'maxOccurs="unbounded"><xs:element name="ExchangeRatesByRange"><xs:complexType>'
            f"<xs:sequence>{columns}</xs:sequence></xs:complexType></xs:element></xs:choice>"
            "</xs:complexType></xs:element></xs:schema>")


def cba_envelope(request: Request, day: date) -> bytes:
    """ExchangeRatesByDateRangeByISO: rows for each fixing day and listed code asked for."""
    body = (request.body or b"").decode("utf-8")
    asked = [code for code in _tag(body, "ISOCodes").split(",") if code in LISTS["cba"]]
    days = _business_days(date.fromisoformat(_tag(body, "DateFrom")),
                          date.fromisoformat(_tag(body, "DateTo")))
    rows = [(code, fixing) for fixing in days for code in asked]
    diffgram = "".join(_cba_row(number, code, fixing, (days[-1] - fixing).days)
                       for number, (code, fixing) in enumerate(rows, start=1))
    return (SOAP_OPEN + '<ExchangeRatesByDateRangeByISOResponse xmlns="http://www.cba.am/">'
            "<ExchangeRatesByDateRangeByISOResult>" + _cba_schema()
            + '<diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" '
            'xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1"><DocumentElement xmlns="">'
            + diffgram + "</DocumentElement></diffgr:diffgram>"
            "</ExchangeRatesByDateRangeByISOResult>"
            "</ExchangeRatesByDateRangeByISOResponse>" + SOAP_CLOSE).encode("utf-8")


# ---- Central Bank of Tunisia


def _bct_table(digits: int) -> str:
    rows = "".join(f"<tr> <td nowrap scope='col'>{FRENCH[code]}</td> <td scope='col'>{code}</td> "
                   f"<td scope='col'><div align='right'>{units}</div></td> <td scope='col'>"
                   f"<div align='right'>  {str(figure('bct', code, digits)).replace('.', ',')}"
                   "</div></td> </tr> " for code, units in LISTS["bct"].items())
    return ("<table align='center' width='50%' cellspacing='0'> <thead> <tr> <td>Monnaie</td> "
            "<td>Sigle</td> <td>Unit&eacute;</td> <td>Valeur</td> </tr> </thead> <tbody> "
            f"{rows}</tbody> </table>")


def bct_page(request: Request, day: date) -> bytes:
    """The archive fragment: interbank averages (4 decimals), then banknotes (3 decimals).

    Like the bank's, the page claims ISO-8859-1 in its meta tag while its bytes are UTF-8.
    """
    asked = date.fromisoformat(parse_qs((request.body or b"").decode("ascii"))["input"][0])
    stamp = f"{asked:%d/%m/%Y}"
    return ('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">\n'
            "<div class='module'><h3 class='bct-mod-hdr' id='1' align='center'>Cours Moyens des "
            "Devises Cotées en dinar tunisien<br>sur le Marché des Changes interbancaire</h3> "
            "<h5 align='center'>(Opérations en Compte et au Comptant) </h5> <h5 align='center'>"
            f"Journée du {stamp}</h5> {_bct_table(4)} </div> <br><br> "
            "<div class='module'><h3 class='bct-mod-hdr' id='2' align='center'>Cours Moyens en "
            "dinar tunisien pour le Change Manuel<br>et les Chèques de Voyage des Devises Cotées"
            "<br>sur le Marché des Changes Interbancaire</h3> <h5 align='center'>Journée du "
            f"&nbsp;{stamp}</h5> {_bct_table(3)} </div>\n").encode("utf-8")


# ---- European Central Bank


def ecb_csv(request: Request, day: date) -> bytes:
    """SDMX CSV from startPeriod to the demo day: one row per currency and TARGET day."""
    query = parse_qs(request.url.split("?", 1)[1])
    start = date.fromisoformat(query["startPeriod"][0])
    lines = ["FREQ,CURRENCY,TIME_PERIOD,OBS_VALUE"]
    for code in sorted(LISTS["ecb"]):
        lines += [f"D,{code},{fixing},{plain(figure('ecb', code, 4, (day - fixing).days))}"
                  for fixing in _business_days(start, day)]
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---- Central Bank of the Republic of Türkiye (EVDS)


def _tcmb_pair(code: str, days_before: int) -> tuple[str, str]:
    """Buying and selling around the mid, to four decimals (five for RUB), shown with eight."""
    mid = bank_rate("tcmb", code, "TRY", days_before) * LISTS["tcmb"][code]
    digits = 5 if mid < 1 else 4
    return tuple(f"{places(places(mid * (1 + sign * HALF_SPREAD[code]), digits), 8)}"
                 for sign in (-1, 1))


def _tcmb_item(series: list[str], day: date, end: date) -> dict:
    item: dict = {"Tarih": f"{day:%d-%m-%Y}"}
    for name in series:
        code, side = name.split(".")[2:4]
        # Closed days are null in every series; series of currencies outside remit's
        # corridors are left null too, to keep the recording small.
        listed = day.weekday() < 5 and code in LISTS["tcmb"]
        pair = _tcmb_pair(code, (end - day).days) if listed else (None, None)
        item[name.replace(".", "_")] = pair[0] if side == "A" else pair[1]
    midnight = datetime.combine(day, time(), ISTANBUL)
    item["UNIXTIME"] = {"$numberLong": str(int(midnight.timestamp()))}
    return item


def tcmb_json(request: Request, day: date) -> bytes:
    """One item per calendar day of the range asked, every series asked for."""
    found = re.search(r"series=([^&]+)&startDate=([\d-]+)&endDate=([\d-]+)", request.url)
    if found is None:
        raise ValueError(f"tcmb: unexpected request {request.url[:80]}")
    series = found.group(1).split("-")
    start, end = (datetime.strptime(text, "%d-%m-%Y").date() for text in found.group(2, 3))
    items = [_tcmb_item(series, start + timedelta(days=n), end)
             for n in range((end - start).days + 1)]
    return to_json({"totalCount": len(items), "items": items}).encode("utf-8")
