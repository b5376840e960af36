"""Languages, locale choice and locale-aware formatting, once for the whole site.

The language of a page is the first segment of its URL (``/tg/send/ru-tj``); ``/`` and
error pages outside a language prefix choose one by cookie, then ``Accept-Language``,
then English (``best_language``). Numbers, money, dates, relative times and country and
currency names are formatted by Babel for the page's locale, never by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_timedelta
from babel.numbers import format_currency, format_decimal, format_percent, get_currency_precision
from flask import Flask, g, has_request_context, request
from flask_babel import Babel
from werkzeug.datastructures import LanguageAccept

from .catalog import country_name, currency_name
from .paths import project_folder

LANGUAGE_COOKIE = "lang"
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Language:
    """A language remit speaks: its URL code and the Babel locale behind it."""

    code: str        # the URL prefix, e.g. "uz"
    locale_id: str   # Babel's identifier, e.g. "uz_Latn"

    @cached_property
    def locale(self) -> Locale:
        return Locale.parse(self.locale_id)

    @property
    def native_name(self) -> str:
        """The language's name in itself, e.g. "oʻzbek", for the language switcher."""
        locale = self.locale
        name = locale.languages.get(locale.language, self.code)
        return name[:1].upper() + name[1:]

    @property
    def direction(self) -> str:
        """"ltr" or "rtl", from CLDR."""
        return self.locale.text_direction


# Phase 1 of the brief. Uzbek and Serbian are served in Latin script.
LANGUAGES: dict[str, Language] = {language.code: language for language in (
    Language("en", "en"), Language("ru", "ru"), Language("uz", "uz_Latn"),
    Language("tg", "tg"), Language("ky", "ky"), Language("ar", "ar"),
    Language("fr", "fr"), Language("uk", "uk"), Language("ro", "ro"),
    Language("sq", "sq"), Language("sr", "sr_Latn"), Language("tr", "tr"),
)}

babel = Babel()


def init_app(app: Flask) -> None:
    """Set up Flask-Babel with ``current_locale`` as the locale selector."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(project_folder("translations")))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    babel.init_app(app, locale_selector=current_locale)


def current_language() -> Language:
    """The page's language: the URL's, else the reader's best (see ``best_language``)."""
    if not has_request_context():
        return LANGUAGES[DEFAULT_LANGUAGE]
    language = g.get("language")
    if language is None:
        language = LANGUAGES[best_language(request.cookies.get(LANGUAGE_COOKIE),
                                           request.accept_languages)]
    return language


def current_locale() -> str:
    """Flask-Babel's locale selector: precedence URL, cookie, Accept-Language, English."""
    return current_language().locale_id


def best_language(cookie: str | None, accept: LanguageAccept | None) -> str:
    """The language code to use: the cookie's if remit speaks it, else the best match of
    the ``Accept-Language`` header, else English.

    Tags are parsed with Babel, which fills in the script a browser leaves out (``uz-UZ``
    means Latin Uzbek); a tag in a script remit does not serve yet (``sr-Cyrl``) falls
    back to the same language in the script it does serve.
    """
    if cookie in LANGUAGES:
        return cookie
    for tag, _quality in (accept or []):
        code = match_tag(tag)
        if code:
            return code
    return DEFAULT_LANGUAGE


def match_tag(tag: str) -> str | None:
    """The language code that serves a BCP 47 tag, or None."""
    try:
        wanted = Locale.parse(tag.replace("_", "-"), sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    same_language = [lang for lang in LANGUAGES.values() if lang.locale.language == wanted.language]
    for language in same_language:
        if language.locale.script in (None, wanted.script):
            return language.code
    return same_language[0].code if same_language else None


# --- formatting, in the current locale ------------------------------------------------


def _locale() -> Locale:
    return current_language().locale


def money(amount: Decimal | int | None, currency: str) -> str:
    """An amount with its currency, to the currency's own minor units (RSD 0, TND 3)."""
    if amount is None:
        return ""
    digits = get_currency_precision(currency)
    rounded = Decimal(amount).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)
    return format_currency(rounded, currency, locale=_locale())


def number(value: Decimal | int | None, max_digits: int = 6) -> str:
    """A plain number, up to ``max_digits`` significant decimals (exchange rates)."""
    if value is None:
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return format_decimal(value, locale=_locale())
    exponent = value.adjusted()
    places = max(2, max_digits - 1 - exponent) if exponent < max_digits else 2
    return format_decimal(value.quantize(Decimal(1).scaleb(-places)).normalize(),
                          locale=_locale(), decimal_quantization=False)


def percent(value: Decimal | None, places: int = 2) -> str:
    """A percentage given in percent (3.45 -> "3.45%"), never rounded to a whole number."""
    if value is None:
        return ""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    if rounded == 0:
        rounded = Decimal(0)  # no "-0%"
    return format_percent(rounded.normalize() / 100, locale=_locale(), decimal_quantization=False)


def date(value: datetime) -> str:
    """A date in the locale's medium format."""
    return babel_format_date(value, format="medium", locale=_locale())


def ago(when: datetime, now: datetime) -> str:
    """How long ago, e.g. "3 hours ago", in the locale."""
    return format_timedelta(when - now, add_direction=True, threshold=1.1, locale=_locale())


def country(iso2: str) -> str:
    """A country's name in the locale."""
    return country_name(iso2, _locale())  # the Locale itself: parsing its name again costs 20 us


def currency(code: str) -> str:
    """A currency's name in the locale."""
    return currency_name(code, _locale())


FORMATTERS = {"money": money, "number": number, "percent": percent, "format_date": date,
              "ago": ago, "country": country, "currency_name": currency}
