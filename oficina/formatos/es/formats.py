"""Spanish (es, es-MX) date formats for the admin: months in lowercase, as Spanish writes them ("16 de enero de
2026"). Django's `F` gives the month's name capitalized ("Enero"); `E`, the alternative name, is lowercase in
its Spanish catalogue. Everything else (short dates d/m/Y, numbers) is Django's es_MX."""

DATE_FORMAT = r"j \d\e E \d\e Y"
DATETIME_FORMAT = r"j \d\e E \d\e Y \a \l\a\s H:i"
YEAR_MONTH_FORMAT = r"E \d\e Y"
MONTH_DAY_FORMAT = r"j \d\e E"
