"""Reading Autodesk Account's subscription export: headers, encodings, delimiters.

Parsing only: each row becomes a ``ParsedRow`` (clean values) or a ``RowError`` (its
line number and what is wrong). Matching products and writing live in
:func:`catalog.services.subscriptions_import_csv`.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .models import Term

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
REQUIRED = ("subscription_id", "seat_quantity", "start_date", "end_date")

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
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y")


def normalise_header(text: str) -> str:
    """'Subscription End Date ' -> 'subscription_end_date' (accents dropped)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[\s\-/.]+", "_", text.strip().lower()).strip("_")


_LOOKUP = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}


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
class RowError:
    line: int
    messages: list[str]
    subscription_id: str = ""

    def __str__(self) -> str:
        return f"ligne {self.line} : " + " ; ".join(self.messages)


class FileError(ValueError):
    """The file as a whole cannot be read (encoding, missing columns)."""


def decode(data: bytes) -> str:
    """UTF-8 with or without BOM; else Windows-1252, as French Excel saves CSV."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


@dataclass
class Table:
    columns: dict[str, int]  # canonical column -> position
    ignored_columns: list[str]
    records: Iterator[tuple[int, list[str]]]  # (line number in the file, cells)


def read_table(text: str) -> Table:
    """Recognise the header; records are numbered by their first line in the file."""
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(first_line))
    try:
        header = next(reader)
    except StopIteration:
        raise FileError("Le fichier est vide.") from None
    columns: dict[str, int] = {}
    unknown = []
    for position, raw in enumerate(header):
        name = _LOOKUP.get(normalise_header(raw))
        if name is None:
            if raw.strip():
                unknown.append(raw.strip())
        elif name not in columns:
            columns[name] = position
    missing = [name for name in REQUIRED if name not in columns]
    if "offering_name" not in columns and "offering_code" not in columns:
        missing.append("offering_name")
    if missing:
        raise FileError(
            "Colonnes manquantes : "
            + ", ".join(missing)
            + ". En-têtes lus : "
            + ", ".join(h.strip() for h in header)
        )

    def records():
        start = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield start, cells
            start = reader.line_num + 1

    return Table(columns, unknown, records())


def parse_date(value: str) -> datetime.date:
    value = value.strip()
    # Exports sometimes carry a time ("2026-06-30 00:00:00" or ISO "T").
    value = re.split(r"[ T]", value, maxsplit=1)[0]
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def parse_row(line: int, cells: list[str], columns: dict[str, int]) -> ParsedRow:
    """One record to clean values; raises ``ValidationError`` listing every problem."""

    def cell(name: str) -> str:
        position = columns.get(name)
        if position is None or position >= len(cells):
            return ""
        return cells[position].strip()

    errors: list[str] = []
    values: dict = {}

    values["subscription_id"] = cell("subscription_id")
    if not values["subscription_id"]:
        errors.append("subscription_id manquant")
    elif len(values["subscription_id"]) > 40:
        errors.append("subscription_id trop long (40 caractères au plus)")
    values["offering_name"] = cell("offering_name")
    values["offering_code"] = cell("offering_code")
    if not values["offering_name"] and not values["offering_code"]:
        errors.append("offering_name manquant")

    seats_text = re.sub(r"[\s\u00a0\u202f]", "", cell("seat_quantity"))
    try:
        values["seats"] = int(seats_text)
        if values["seats"] < 1:
            raise ValueError
    except ValueError:
        errors.append(f"seat_quantity invalide « {cell('seat_quantity')} »")

    for name in ("start_date", "end_date", "autorenew_date"):
        text = cell(name)
        if not text:
            values[name] = None
            if name != "autorenew_date":
                errors.append(f"{name} manquante")
            continue
        try:
            values[name] = parse_date(text)
        except ValueError:
            values[name] = None
            errors.append(
                f"{name} invalide « {text} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"
            )
    if (
        values["start_date"]
        and values["end_date"]
        and values["end_date"] < values["start_date"]
    ):
        errors.append("end_date antérieure à start_date")

    term_text = cell("term")
    values["term"] = TERMS.get(normalise_header(term_text), "") if term_text else ""
    if term_text and not values["term"]:
        errors.append(f"term inconnu « {term_text} »")

    values["reseller_email"] = cell("reseller_email")
    if values["reseller_email"]:
        try:
            validate_email(values["reseller_email"])
        except ValidationError:
            errors.append(f"reseller_email invalide « {values['reseller_email']} »")

    if errors:
        raise ValidationError(errors)
    return ParsedRow(
        line=line,
        subscription_id=values["subscription_id"],
        offering_name=values["offering_name"],
        offering_code=values["offering_code"],
        seats=values["seats"],
        start_date=values["start_date"],
        end_date=values["end_date"],
        term=values["term"],
        autorenew_date=values["autorenew_date"],
        contract_number=cell("contract_number")[:40],
        is_cancelled=normalise_header(cell("subscription_status"))
        in CANCELLED_STATUSES,
        reseller_name=cell("reseller_name")[:120],
        reseller_email=values["reseller_email"],
        team=cell("team")[:120],
    )
