"""Demo answers of the twelve central banks, each in that bank's own format.

Each writer takes the request the bank's module makes and answers it as the bank does:
its encoding (windows-1251 for the Bank of Russia), decimal commas where it uses them,
its unit multipliers (100 AMD, 10000 UZS), its layout. Only the currencies of remit's
corridors are listed, and every figure comes from ``market.figure``. This module holds the
XML of the Bank of Russia's family and the JSON banks; ``rate_pages`` the SOAP, HTML, CSV
and EVDS ones. The NBKR answers 503 on purpose: the demo shows how a failed source looks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from scrapers.base import Request
from scrapers.registry import RATE_SOURCES, rate_source

from .market import ENGLISH, LISTS, NUMERIC, Recording, change, figure, plain, to_json
from .rate_pages import bct_page, cba_envelope, ecb_csv, tcmb_json

SETTINGS = {"BAM_API_KEY": "demo"}   # bam is asked like the others; replay ignores headers
FAILING = "nbkr"
UNAVAILABLE = (b"<html><head><title>503 Service Unavailable</title></head><body>"
               b"<h1>Service Unavailable</h1><p>The server is temporarily unable to service "
               b"your request. Please try again later.</p></body></html>\n")

CBR_NAMES = {  # CBR's internal id and its Russian name (plural where it quotes many units)
    "AZN": ("R01020A", "Азербайджанский манат"), "DZD": ("R01030", "Алжирских динаров"),
    "AMD": ("R01060", "Армянских драмов"), "GEL": ("R01210", "Лари"),
    "USD": ("R01235", "Доллар США"), "EUR": ("R01239", "Евро"),
    "KGS": ("R01370", "Киргизских сомов"), "MDL": ("R01500", "Молдавских леев"),
    "TJS": ("R01670", "Таджикских сомони"), "TRY": ("R01700J", "Турецких лир"),
    "UZS": ("R01717", "Узбекских сумов"), "UAH": ("R01720", "Украинских гривен"),
    "RSD": ("R01805F", "Сербских динаров"),
}
UZBEK = {  # CBU's names: Russian, Uzbek (Latin), Uzbek (Cyrillic)
    "USD": ("Доллар США", "AQSH dollari", "АҚШ доллари"), "EUR": ("Евро", "EVRO", "ЕВРО"),
    "RUB": ("Российский рубль", "Rossiya rubli", "Россия рубли"),
    "AMD": ("Армянский драм", "Armaniston drami", "Арманистон драми"),
    "AZN": ("Азербайджанский манат", "Ozarbayjon manati", "Озарбайжон манати"),
    "DZD": ("Алжирский динар", "Jazoir dinori", "Жазоир динори"),
    "GEL": ("Грузинский лари", "Gruziya larisi", "Грузия лариси"),
    "KGS": ("Киргизский сом", "Qirg‘iziston somi", "Қирғизистон сўми"),
    "MAD": ("Марокканский дирхам", "Marokash dirhami", "Марокаш дирҳами"),
    "MDL": ("Молдавский лей", "Moldova leyi", "Молдова лейи"),
    "RSD": ("Сербский динар", "Serbiya dinori", "Сербия динори"),
    "TJS": ("Таджикский сомони", "Tojikiston somoniysi", "Тожикистон сомонийси"),
    "TND": ("Тунисский динар", "Tunis dinori", "Тунис динори"),
    "TRY": ("Турецкая лира", "Turkiya lirasi", "Туркия лираси"),
    "UAH": ("Украинская гривна", "Ukraina grivnasi", "Украина гривнаси"),
}
UKRAINIAN = {"AZN": "Азербайджанський манат", "DZD": "Алжирський динар", "EUR": "Євро",
             "GEL": "Ларі", "MDL": "Молдовський лей", "RSD": "Сербський динар",
             "TND": "Туніський динар", "TRY": "Турецька ліра", "USD": "Долар США"}


def _comma(value: Decimal | str) -> str:
    return str(value).replace(".", ",")


# ---- the ValCurs family: Russia, Moldova, Tajikistan


def _cbr(request: Request, day: date) -> bytes:
    """XML_daily: one line, windows-1251, decimal commas, VunitRate beside Value."""
    parts = [f'<?xml version="1.0" encoding="windows-1251"?><ValCurs Date="{day:%d.%m.%Y}" '
             'name="Foreign Currency Market">']
    for code, units in LISTS["cbr"].items():
        cbr_id, name = CBR_NAMES[code]
        value = figure("cbr", code, 4)
        parts.append(f'<Valute ID="{cbr_id}"><NumCode>{NUMERIC[code]}</NumCode><CharCode>{code}'
                     f'</CharCode><Nominal>{units}</Nominal><Name>{name}</Name><Value>'
                     f'{_comma(value)}</Value><VunitRate>{_comma(plain(value / units))}'
                     '</VunitRate></Valute>')
    return ("".join(parts) + "</ValCurs>").encode("windows-1251")


def _nbm(request: Request, day: date) -> bytes:
    """Official rates: indented UTF-8 XML, decimal points, NBM's own Valute numbering."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<ValCurs Date="{day:%d.%m.%Y}" name="Official exchange rate">']
    for number, (code, units) in enumerate(LISTS["nbm"].items(), start=1):
        lines += [f'  <Valute ID="{number}">', f"    <NumCode>{NUMERIC[code]}</NumCode>",
                  f"    <CharCode>{code}</CharCode>", f"    <Nominal>{units}</Nominal>",
                  f"    <Name>{ENGLISH[code]}</Name>",
                  f"    <Value>{figure('nbm', code, 4)}</Value>", "  </Valute>"]
    return ("\n".join(lines) + "\n</ValCurs>\n").encode("utf-8")


def _nbt(request: Request, day: date) -> bytes:
    """export_xml: ISO date, the ISO numeric code as the Valute id, four decimals."""
    lines = ['<?xml version="1.0" encoding="utf-8" ?>',
             f'<ValCurs Date="{day:%Y-%m-%d}" name="Foreign Currency Market">']
    for code, units in LISTS["nbt"].items():
        lines += [f'<Valute ID="{int(NUMERIC[code])}">', f"   <CharCode>{code}</CharCode>",
                  f"   <Nominal>{units}</Nominal>", f"   <Name>{ENGLISH[code]}</Name>",
                  f"   <Value>{figure('nbt', code, 4)}</Value>", "</Valute>"]
    return ("\n".join(lines) + "\n</ValCurs>\n").encode("utf-8")


# ---- JSON banks: Uzbekistan, Georgia, Ukraine, Morocco


def _cbu(request: Request, day: date) -> bytes:
    """JSON array, every value a string, non-ASCII escaped, two decimals of UZS."""
    entries = [{"id": number, "Code": NUMERIC[code], "Ccy": code, "CcyNm_RU": UZBEK[code][0],
                "CcyNm_UZ": UZBEK[code][1], "CcyNm_UZC": UZBEK[code][2],
                "CcyNm_EN": ENGLISH[code], "Nominal": str(units),
                "Rate": str(figure("cbu", code, 2)), "Diff": str(change("cbu", code, 2)),
                "Date": f"{day:%d.%m.%Y}"}
               for number, (code, units) in enumerate(LISTS["cbu"].items(), start=1)]
    return to_json(entries, ascii_only=True).encode("ascii")


def _nbg(request: Request, day: date) -> bytes:
    """One day's object; rates set the evening before, valid from the day asked.

    NBG names currencies in Georgian; the demo writes English names in the same field.
    """
    valid = f"{day:%Y-%m-%d}T00:00:00.000Z"
    fixed = f"{day - timedelta(days=1):%Y-%m-%d}T17:00:00.000Z"
    currencies = []
    for code, units in LISTS["nbg"].items():
        value, diff = figure("nbg", code, 4), change("nbg", code, 4)
        currencies.append({"code": code, "quantity": units, "rateFormated": str(value),
                           "diffFormated": str(diff), "rate": value, "name": ENGLISH[code],
                           "diff": diff, "date": fixed, "validFromDate": valid})
    return to_json([{"date": valid, "currencies": currencies}]).encode("utf-8")


def _nbu(request: Request, day: date) -> bytes:
    """A flat array in NBU's layout (an object per currency, CRLF), set the day before."""
    objects = []
    for code in sorted(LISTS["nbu"]):
        units, value = LISTS["nbu"][code], figure("nbu", code, 4)
        fields = {"exchangedate": f"{day:%d.%m.%Y}", "r030": int(NUMERIC[code]), "cc": code,
                  "txt": UKRAINIAN[code], "enname": ENGLISH[code], "rate": value,
                  "units": units, "rate_per_unit": Decimal(plain(value / units)), "group": "1",
                  "calcdate": f"{day - timedelta(days=1):%d.%m.%Y}", "special": None}
        objects.append("{ \r\n" + to_json(fields)[1:-1] + "\r\n }")
    return ("[\r\n" + "\r\n,".join(objects) + "\r\n]\r\n").encode("utf-8")


def _bam(request: Request, day: date) -> bytes:
    """CoursVirement: the mid rate ``moyen`` per ``uniteDevise``, the asked time echoed."""
    asked = parse_qs(urlsplit(request.url).query)["date"][0]
    return to_json([{"date": asked, "libDevise": code, "moyen": figure("bam", code, 4),
                     "uniteDevise": units}
                    for code, units in LISTS["bam"].items()]).encode("utf-8")


WRITERS: dict[str, tuple[Callable[[Request, date], bytes], str, str]] = {
    "cbr": (_cbr, "text/xml; charset=windows-1251", "xml"),
    "nbm": (_nbm, "text/xml; charset=utf-8", "xml"),
    "nbt": (_nbt, "text/xml;charset=UTF-8", "xml"),
    "cbu": (_cbu, "application/json", "json"),
    "nbg": (_nbg, "application/json; charset=utf-8", "json"),
    "cba": (cba_envelope, "text/xml; charset=utf-8", "xml"),
    "nbu": (_nbu, "application/json; charset=utf-8", "json"),
    "bam": (_bam, "application/json; charset=utf-8", "json"),
    "bct": (bct_page, "text/html; charset=UTF-8", "html"),
    "ecb": (ecb_csv, "text/csv", "csv"),
    "tcmb": (tcmb_json, "application/json;charset=UTF-8", "json"),
}


def recordings(day: date) -> list[Recording]:
    """Every rate source's requests for ``day`` with the demo's answers, in registry order."""
    found = []
    for name in RATE_SOURCES:
        for request in rate_source(name).requests(day, SETTINGS):
            if name == FAILING:
                found.append(Recording(name, request, 503, "text/html", UNAVAILABLE, "html"))
                continue
            writer, content_type, ext = WRITERS[name]
            found.append(Recording(name, request, 200, content_type, writer(request, day), ext))
    return found
