"""Can a full ID number be rebuilt from what an attacker reads without the field key?

`valid_ids` finds checksum-valid 18-digit numbers in text; `rebuilt` completes every mask
(`610523********0543`) with every date found in the same text and keeps the valid results
(random hex hashes hold date-like digit runs, so compare the result with the real numbers);
`raw_rows` reads every row of every table straight from the database, as text."""

import re

from django.db import connection

from bianmin.people.idnumber import check_id_number

DIGITS18 = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
MASK = re.compile(r"([0-9]{6})\*{8}([0-9]{3}[0-9X])")
DATE_FORMS = (
    re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})-?([01][0-9])-?([0-3][0-9])(?![0-9])"),
    re.compile(r"((?:19|20)[0-9]{2})年([0-9]{1,2})月([0-9]{1,2})日"),
)


def valid_ids(text: str) -> set[str]:
    return {m for m in DIGITS18.findall(text) if check_id_number(m).valid}


def rebuilt(text: str) -> set[str]:
    dates = {
        f"{int(y):04d}{int(m):02d}{int(d):02d}"
        for form in DATE_FORMS
        for y, m, d in form.findall(text)
    }
    return {
        candidate
        for head, tail in MASK.findall(text)
        for day in dates
        if check_id_number(candidate := head + day + tail).valid
    }


def raw_rows() -> list[str]:
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                rows.append(
                    " | ".join(
                        bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
                        for v in row
                    )
                )
    return rows
