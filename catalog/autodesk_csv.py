"""Reading Autodesk Account's subscription export: headers, encodings, delimiters.

Parsing only: each record becomes a ``ParsedRow`` (clean values) or a list of
``Problem``s (line, column as written in the file, what was expected). Every problem
of a file is found in one pass: a missing column does not hide the errors of the
other columns. Matching products and writing live in
:func:`catalog.services.subscriptions_import_csv`.

Limits (a file past them is refused, a cell past them makes its row invalid): see
``MAX_FILE_BYTES``, ``MAX_ROWS``, ``MAX_CELL_CHARS``, ``SEATS_MIN``/``SEATS_MAX``,
``DATE_MIN``/``DATE_MAX`` and the model's ``max_length``s.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .models import Subscription, Term
from .models.subscriptions import QUANTITY_MAX, QUANTITY_MIN

MAX_FILE_BYTES = 20 * 1024 * 1024  # 20 Mo
MAX_ROWS = 100_000  # data rows, header excluded
MAX_CELL_CHARS = 1_000
# Seats are served as a GraphQL Int (32-bit); no Autodesk subscription comes near.
SEATS_MIN, SEATS_MAX = QUANTITY_MIN, QUANTITY_MAX  # what the API can serve
DATE_MIN, DATE_MAX = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)

# Canonical column -> the headers Autodesk has used for it (current export first,
# then older and renamed ones, and the French labels of a localised Account).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "subscription_id": (
        "subscription_id",
        "subscription_number",
        "subscription_#",
        "subscription_no",
        "subscription_reference",
        "id_abonnement",
        "numero_abonnement",
    ),
    "offering_name": (
        "offering_name",
        "product_name",
        "product",
        "offering",
        "produit",
        "nom_offre",
    ),
    "offering_code": ("offering_code", "product_line_code", "offering_id"),
    "seat_quantity": (
        "seat_quantity",
        "seats",
        "quantity",
        "qty",
        "number_of_seats",
        "nombre_de_postes",
        "postes",
    ),
    "start_date": (
        "start_date",
        "subscription_start_date",
        "contract_start_date",
        "date_de_debut",
    ),
    "end_date": (
        "end_date",
        "subscription_end_date",
        "contract_end_date",
        "date_de_fin",
    ),
    "term": ("term", "subscription_term", "contract_term", "duree"),
    "autorenew_date": (
        "autorenew_date",
        "auto_renew_date",
        "auto_renewal_date",
        "renewal_date",
        "next_renewal_date",
        "date_de_renouvellement",
    ),
    "contract_number": (
        "contract_number",
        "contract_#",
        "contract_no",
        "agreement_number",
        "numero_de_contrat",
    ),
    "subscription_status": ("subscription_status", "status", "statut"),
    "reseller_name": ("reseller_name", "reseller", "partner_name", "revendeur"),
    "reseller_email": ("reseller_email", "partner_email", "email_revendeur"),
    "team": ("team", "team_name", "equipe"),
}
# The header of the current export, to name a column the file does not have.
LABELS = {
    "subscription_id": "Subscription ID",
    "offering_name": "Offering Name",
    "offering_code": "Offering Code",
    "seat_quantity": "Seats",
    "start_date": "Start Date",
    "end_date": "End Date",
    "term": "Term",
    "autorenew_date": "Autorenew Date",
    "contract_number": "Contract Number",
    "subscription_status": "Status",
    "reseller_name": "Reseller Name",
    "reseller_email": "Reseller Email",
    "team": "Team",
}
REQUIRED = ("subscription_id", "seat_quantity", "start_date", "end_date")
# Text columns stored as they are: the model's limits.
MAX_LENGTHS = {
    name: Subscription._meta.get_field(name).max_length
    for name in ("contract_number", "reseller_name", "reseller_email", "team")
} | {"subscription_id": Subscription._meta.get_field("autodesk_id").max_length}

TERMS = {
    "monthly": Term.MONTHLY,
    "month": Term.MONTHLY,
    "mensuel": Term.MONTHLY,
    "annual": Term.ANNUAL,
    "annually": Term.ANNUAL,
    "1_year": Term.ANNUAL,
    "1_an": Term.ANNUAL,
    "annuel": Term.ANNUAL,
    "3_year": Term.THREE_YEAR,
    "3_years": Term.THREE_YEAR,
    "three_year": Term.THREE_YEAR,
    "3_ans": Term.THREE_YEAR,
    "triennal": Term.THREE_YEAR,
    "multi_year": Term.MULTI_YEAR,
    "pluriannuel": Term.MULTI_YEAR,
}
CANCELLED_STATUSES = {"canceled", "cancelled", "terminated", "resiliee", "annulee"}
ENCODINGS = {"auto": "détection (UTF-8, sinon Windows-1252)"} | {
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252",
}

_ASCII_DIGITS = re.compile(r"[0-9]+")
_SEAT_SEPARATORS = re.compile(r"[ \u00a0\u202f]")
# Exports sometimes carry a time: "2026-06-30 00:00:00", ISO "2026-06-30T00:00:00Z".
_TIME = (
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)
_DATES = [
    (re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})" + _TIME), "ymd"),
    (re.compile(r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})" + _TIME), "ymd"),
    (re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})" + _TIME), "dmy"),
    (re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})" + _TIME), "dmy"),
    (re.compile(r"([0-9]{1,2})-([0-9]{1,2})-([0-9]{4})" + _TIME), "dmy"),
]
# C0/C1 controls (tab and line breaks included: no imported value has them) and the
# bidirectional overrides that make a name read differently from what it is.
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ESCAPED = re.compile("[\udc80-\udcff]")  # undecodable bytes (surrogateescape)
_LINE_BREAK = re.compile("\r\n|\r|\n")
MAX_IGNORED_SHOWN = 30


def normalise_header(text: str) -> str:
    """'Subscription End Date ' -> 'subscription_end_date' (accents dropped)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[\s\-/.]+", "_", text.strip().lower()).strip("_")


_LOOKUP = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}


def thousands(n: int) -> str:
    """3000000000 -> '3 000 000 000' (French grouping, non-breaking spaces avoided)."""
    return f"{n:,}".replace(",", " ")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: its line (None: the file as a whole), the
    column as the file names it, and what is wrong or expected, in French."""

    line: int | None
    message: str
    column: str = ""
    subscription_id: str = ""
    position: int = field(default=-1, compare=False, repr=False)  # column's, to sort

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"ligne {self.line}")
        if self.column:
            where.append(f"colonne « {self.column} »")
        return f"{', '.join(where)} : {self.message}" if where else self.message


@dataclass
class ParsedRow:
    line: int
    subscription_id: str
    offering_name: str
    offering_code: str
    seats: int
    start_date: datetime.date
    end_date: datetime.date
    term: str
    autorenew_date: datetime.date | None
    contract_number: str
    is_cancelled: bool
    reseller_name: str
    reseller_email: str
    team: str


@dataclass
class Decoded:
    text: str
    encoding: str  # the one used: "utf-8" or "cp1252"
    bad_lines: dict[int, str] = field(default_factory=dict)  # line -> problem


def decode(data: bytes, encoding: str = "auto") -> Decoded:
    """UTF-8 with or without BOM; else Windows-1252, as French Excel saves CSV.

    ``auto`` falls back to Windows-1252 only for a file with no UTF-8 accent at all:
    one bad byte in a UTF-8 file is reported on its line, not turned into « Ã© »
    everywhere. Undecodable bytes never raise: each line that has one is reported
    (and its record refused), the rest of the file is read.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        if encoding == "auto":
            encoding = "utf-8"
    if encoding == "auto":
        try:
            return Decoded(data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            pass
        encoding = "utf-8" if _has_utf8_sequence(data) else "cp1252"
    text = data.decode(encoding, errors="surrogateescape")
    bad_lines: dict[int, str] = {}
    if _ESCAPED.search(text):
        name, other = (
            ENCODINGS[encoding],
            ("cp1252" if encoding == "utf-8" else "utf-8"),
        )
        # Where each line ends (\r\n, \n or an old Mac's \r, as the CSV reader counts).
        breaks = [m.end() - 1 for m in _LINE_BREAK.finditer(text)]
        for match in _ESCAPED.finditer(text):
            line = bisect.bisect_right(breaks, match.start()) + 1
            byte = ord(match.group()) - 0xDC00
            bad_lines.setdefault(
                line,
                f"octet 0x{byte:02X} illisible en {name} "
                f"(le fichier est peut-être en {ENCODINGS[other]})",
            )
        text = _ESCAPED.sub("\ufffd", text)
    return Decoded(text, encoding, bad_lines)


def _has_utf8_sequence(data: bytes) -> bool:
    """Whether ``data`` holds a well-formed multi-byte UTF-8 character (an accent)."""
    return bool(
        re.search(
            rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}",
            data,
        )
    )


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


@dataclass
class Record:
    line: int  # the record's first line in the file
    cells: list[str]
    problems: list[Problem]  # found before its cells are read (bytes, CSV syntax)


def sort_key(problem: Problem) -> tuple:
    """The file's problems first, then by line and column."""
    return (problem.line is not None, problem.line or 0, problem.position)


@dataclass
class Table:
    columns: dict[str, int]  # canonical column -> position
    labels: dict[str, str]  # canonical column -> its header in the file
    ignored_columns: list[str]
    problems: list[Problem]  # the file's: missing columns, header
    records: Iterator[Record]

    def label(self, name: str) -> str:
        return self.labels.get(name, LABELS[name])

    def problem(self, line: int, name: str, message: str, sub_id: str) -> Problem:
        """A problem of one cell: its column named as in the file."""
        return Problem(line, message, self.label(name), sub_id, self.columns[name])


def read_table(text: str, bad_lines: dict[int, str] | None = None) -> Table:
    """Recognise the header; records are numbered by their first line in the file.

    Missing columns are reported, not raised: the records are still read so that
    every other problem of the file shows in the same report."""
    bad_lines = bad_lines or {}
    first_line = _LINE_BREAK.split(text, maxsplit=1)[0]
    # newline="": the reader sees \r\n, \n and \r as the file has them (csv docs).
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line)
    )
    problems: list[Problem] = []
    try:
        header = next(reader)
    except StopIteration:
        header = []
    except csv.Error as exc:
        header = []
        problems.append(
            Problem(None, f"en-tête illisible (ligne 1) : {_csv_error(exc)}")
        )
    if not problems and not any(cell.strip() for cell in header):
        problems.append(Problem(None, "Le fichier est vide : pas de ligne d'en-tête."))
    for line in range(1, reader.line_num + 1):
        if line in bad_lines:
            problems.append(
                Problem(None, f"en-tête (ligne {line}) : {bad_lines[line]}")
            )
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    unknown = []
    for position, raw in enumerate(header):
        name = _LOOKUP.get(normalise_header(raw))
        if name is None or name in columns:
            if raw.strip():
                unknown.append(_shown_header(raw))
        else:
            columns[name] = position
            labels[name] = _shown_header(raw)
    if len(unknown) > MAX_IGNORED_SHOWN:
        hidden = len(unknown) - MAX_IGNORED_SHOWN
        unknown[MAX_IGNORED_SHOWN:] = [f"… et {hidden} autres"]
    if header:
        for name in REQUIRED:
            if name not in columns:
                problems.append(_missing(name))
        if "offering_name" not in columns and "offering_code" not in columns:
            problems.append(_missing("offering_name", "offering_code"))

    def records() -> Iterator[Record]:
        start = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
                found = []
            except StopIteration:
                return
            except csv.Error as exc:
                cells = []
                found = [Problem(start, f"ligne illisible en CSV ({_csv_error(exc)})")]
            found += [
                Problem(line, bad_lines[line])
                for line in range(start, reader.line_num + 1)
                if line in bad_lines
            ]
            if found or any(cell.strip() for cell in cells):
                yield Record(start, cells, found)
            start = reader.line_num + 1

    return Table(columns, labels, unknown, problems, records())


def _shown_header(raw: str) -> str:
    """A header as reports show it: no control character reaches a terminal."""
    return _FORBIDDEN.sub("\ufffd", raw.strip())[:80]


def _missing(*names: str) -> Problem:
    wanted = " ou ".join(f"« {LABELS[name]} »" for name in names)
    aliases = ", ".join(alias for name in names for alias in HEADER_ALIASES[name])
    return Problem(
        None,
        f"colonne manquante : {wanted} (attendue sous l'un de ces en-têtes, casse, "
        f"espaces et accents ignorés : {aliases})",
    )


def _csv_error(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return f"une cellule dépasse {thousands(csv.field_size_limit())} caractères"
    return str(exc)


class _Invalid(Exception):
    """One cell's problem (message only: the caller knows line and column)."""


def parse_date(value: str) -> datetime.date:
    """A date of the export, or ``_Invalid`` saying whether it is malformed, does
    not exist (31/02) or is out of range."""
    for pattern, order in _DATES:
        match = pattern.fullmatch(value)
        if match is None:
            continue
        a, b, c = (int(part) for part in match.groups())
        year, month, day = (a, b, c) if order == "ymd" else (c, b, a)
        try:
            date = datetime.date(year, month, day)
        except ValueError:
            hint = ""
            if order == "dmy" and 1 <= day <= 12 < month <= 31:
                hint = " (lue JJ/MM/AAAA : date américaine MM/JJ/AAAA ?)"
            raise _Invalid(f"{value} n'existe pas{hint}") from None
        if not DATE_MIN <= date <= DATE_MAX:
            raise _Invalid(
                f"{value} hors de la plage acceptée ({DATE_MIN.year} à {DATE_MAX.year})"
            )
        return date
    raise _Invalid(f"« {value} » n'est pas une date (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")


def parse_seats(value: str) -> int:
    digits = _SEAT_SEPARATORS.sub("", value)
    if not _ASCII_DIGITS.fullmatch(digits.removeprefix("-")):
        raise _Invalid(
            f"« {value} » n'est pas un nombre entier de postes "
            f"(attendu : {SEATS_MIN} à {thousands(SEATS_MAX)})"
        )
    seats = int(digits)  # ASCII digits, at most MAX_CELL_CHARS of them
    if not SEATS_MIN <= seats <= SEATS_MAX:
        raise _Invalid(
            f"{value} postes : hors limites "
            f"(attendu : {SEATS_MIN} à {thousands(SEATS_MAX)})"
        )
    return seats


def parse_row(record: Record, table: Table) -> tuple[ParsedRow | None, list[Problem]]:
    """One record to clean values, or every problem of its cells."""
    columns = table.columns
    line, cells = record.line, record.cells
    problems: list[Problem] = list(record.problems)
    if record.problems:  # bytes or CSV syntax: its cells cannot be trusted
        return None, problems
    sub_id = ""
    if "subscription_id" in columns:
        sub_id = _raw(cells, columns["subscription_id"])[
            : MAX_LENGTHS["subscription_id"]
        ]

    def report(name: str, message: str) -> None:
        problems.append(table.problem(line, name, message, sub_id))

    def cell(name: str) -> str | None:
        """The cell's text, or None if the column is missing or the cell invalid."""
        if name not in columns:
            return None
        text = _raw(cells, columns[name])
        if len(text) > MAX_CELL_CHARS:
            report(
                name,
                f"{thousands(len(text))} caractères "
                f"(attendu : {thousands(MAX_CELL_CHARS)} au plus)",
            )
            return None
        bad = _FORBIDDEN.search(text)
        if bad:
            report(name, f"caractère de contrôle U+{ord(bad.group()):04X} interdit")
            return None
        limit = MAX_LENGTHS.get(name)
        if limit and len(text) > limit:
            report(name, f"{len(text)} caractères (attendu : {limit} au plus)")
            return None
        return text

    values: dict = {}
    invalid = False

    def need(name: str, text: str | None) -> None:
        nonlocal invalid
        if text is None:
            invalid = True
        elif not text:
            report(name, "vide (valeur obligatoire)")
            invalid = True

    values["subscription_id"] = cell("subscription_id")
    need("subscription_id", values["subscription_id"])
    values["offering_name"] = cell("offering_name")
    values["offering_code"] = cell("offering_code")
    if values["offering_name"] is None and values["offering_code"] is None:
        invalid = True
    elif not values["offering_name"] and not values["offering_code"]:
        name = "offering_name" if "offering_name" in columns else "offering_code"
        report(name, "vide (nom ou code de l'offre obligatoire)")
        invalid = True

    seats_text = cell("seat_quantity")
    need("seat_quantity", seats_text)
    if seats_text:
        try:
            values["seats"] = parse_seats(seats_text)
        except _Invalid as exc:
            report("seat_quantity", str(exc))
            invalid = True

    for name in ("start_date", "end_date", "autorenew_date"):
        text = cell(name)
        values[name] = None
        if name != "autorenew_date":
            need(name, text)
        if not text:
            continue
        try:
            values[name] = parse_date(text)
        except _Invalid as exc:
            report(name, str(exc))
            invalid = True
    if values["start_date"] and values["end_date"]:
        if values["end_date"] < values["start_date"]:
            report(
                "end_date",
                f"{values['end_date']:%d/%m/%Y} précède le début "
                f"({values['start_date']:%d/%m/%Y})",
            )
            invalid = True

    term_text = cell("term")
    values["term"] = ""
    if term_text is None and "term" in columns:
        invalid = True
    elif term_text:
        values["term"] = TERMS.get(normalise_header(term_text), "")
        if not values["term"]:
            report(
                "term",
                f"« {term_text} » inconnue (attendu : Monthly, Annual, 3-Year, "
                "Multi-Year ou leur libellé français)",
            )
            invalid = True

    email = cell("reseller_email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            report("reseller_email", f"« {email} » n'est pas une adresse e-mail")
            invalid = True
    values["reseller_email"] = email or ""

    for name in ("contract_number", "subscription_status", "reseller_name", "team"):
        text = cell(name)
        if text is None and name in columns:
            invalid = True
        values[name] = text or ""

    if invalid or problems:
        return None, problems
    return (
        ParsedRow(
            line=line,
            subscription_id=values["subscription_id"],
            offering_name=values["offering_name"] or "",
            offering_code=values["offering_code"] or "",
            seats=values["seats"],
            start_date=values["start_date"],
            end_date=values["end_date"],
            term=values["term"],
            autorenew_date=values["autorenew_date"],
            contract_number=values["contract_number"],
            is_cancelled=normalise_header(values["subscription_status"])
            in CANCELLED_STATUSES,
            reseller_name=values["reseller_name"],
            reseller_email=values["reseller_email"],
            team=values["team"],
        ),
        [],
    )


def _raw(cells: list[str], position: int) -> str:
    return cells[position].strip() if position < len(cells) else ""
