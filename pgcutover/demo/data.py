"""Generate and load the Supabase-shaped demo dataset.

Every row is a pure function of (seed, table, row number): each row draws from its own
`random.Random`, seeded with a string (hashed with SHA-512 by `random`, so the same on
every run and every machine, unlike `hash()`). That buys three things: the same seed and
scale give byte-identical data; rows can be generated lazily and streamed into COPY
without holding a table in memory; and a table that references another (a booking's
client name, a dialog's phone) recomputes the referenced values instead of remembering
them. Time is measured from a fixed instant, never from now().
"""

from __future__ import annotations

import base64
import hashlib
import math
import random
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from datetime import time as dtime
from decimal import Decimal
from importlib import resources
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from pgcutover.errors import TargetNotEmpty

Row = tuple[Any, ...]

# "Now" of the dataset: the review's snapshot moment. Bookings lie around it, messages
# before it, keys expire relative to it. Partition bounds in schema.sql depend on it.
BASE_TIME = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
_UTC = timezone.utc

# Rows at scale 1, in load order (referenced tables first). The known ones are the
# review's counts; the others (marked) are plausible guesses for a one-tenant salon.
BASE_COUNTS: dict[str, int] = {
    "auth.users": 25,  # guess: the staff's accounts plus a few clients and the owner
    "public.companies": 1,
    "public.clients": 1299,
    "public.services": 63,
    "public.staff": 12,
    "public.staff_schedules": 56,
    "public.bookings": 38,
    "public.reminders": 76,  # guess: two per booking
    "public.appointments_cache": 120,  # guess
    "public.dialog_contexts": 21,
    "public.sync_status": 6,  # guess: one per synced resource
    "public.messages": 600,  # guess
    "public.whatsapp_auth": 1,
    "public.whatsapp_keys": 728,
    "public.schema_migrations": 14,  # guess
}

# Personal data (152-FZ) per table: what masking must hide and residency must place.
PII_COLUMNS: dict[str, list[str]] = {
    "auth.users": ["email", "phone", "raw_user_meta_data"],
    "public.clients": ["name", "phone", "email"],
    "public.staff": ["name", "phone"],
    "public.bookings": ["client_name", "client_phone"],
    "public.dialog_contexts": ["phone", "context"],
    "public.messages": ["remote_jid", "body", "payload"],
    "public.appointments_cache": ["payload"],
}
# The same as column names, for `--personal-column`: what the demo masks beyond the
# generic defaults (context, payload, body, remote_jid hold personal data here, not everywhere).
PERSONAL_COLUMNS: tuple[str, ...] = tuple(
    sorted({column for columns in PII_COLUMNS.values() for column in columns})
)

# schema.sql's part boundaries: the roles before the first marker are committed on their
# own; what follows the second runs after the rows are loaded.
_COMMIT_MARKER = "-- pgcutover:commit"
_POST_DATA_MARKER = "-- pgcutover:post-data"


@dataclass(frozen=True)
class DemoSummary:
    """What `load_demo` loaded: rows per table ("schema.table", leaf partitions of
    partitioned tables listed one by one, their parents not) and the wall-clock seconds."""

    tables: dict[str, int]
    seconds: float


def load_demo(conninfo: str, *, scale: float = 1.0, seed: int = 2026) -> DemoSummary:
    """Create the Supabase-shaped demo schema in the (empty) database at conninfo and fill it
    deterministically.

    Row counts are the review's at ``scale=1`` and grow linearly with `scale` (at least one
    row per table); the same `seed` and `scale` always give byte-identical data. The schema
    and the data are committed together, so a failed load leaves the database empty; the
    Supabase roles (anon, authenticated, service_role) are cluster-wide and created first,
    only when missing. Raises ValueError for a non-positive scale and TargetNotEmpty when
    the database already holds the demo's schemas or tables.
    """
    if not (scale > 0 and math.isfinite(scale)):
        raise ValueError(f"scale must be a positive finite number, got {scale!r}")
    started = time.perf_counter()
    roles_sql, pre_data_sql, post_data_sql = _schema_parts()
    gen = _Generator(seed=seed, scale=scale)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        _refuse_non_empty(conn)
        # Its own short transaction: a concurrent loader blocked on our uncommitted role
        # rows would otherwise wait for our whole data load.
        conn.execute(roles_sql)
    with psycopg.connect(conninfo) as conn, conn.transaction():
        conn.execute(pre_data_sql)
        with conn.cursor() as cur:
            for table, columns, rows in gen.tables():
                _copy_rows(cur, table, columns, rows)
        conn.execute(post_data_sql)
        _advance_sequences(conn)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        # Fresh statistics: planners and the migrator's row estimates read pg_class.
        conn.execute("ANALYZE")
        counts = _count_rows(conn)
    return DemoSummary(tables=counts, seconds=time.perf_counter() - started)


def _schema_parts() -> tuple[str, str, str]:
    """(roles, pre-data, post-data) statements of schema.sql."""
    text = resources.files("pgcutover.demo").joinpath("schema.sql").read_text(encoding="utf-8")
    roles_sql, commit, rest = text.partition(_COMMIT_MARKER)
    pre_data_sql, post_data, post_data_sql = rest.partition(_POST_DATA_MARKER)
    if not (commit and post_data):
        raise RuntimeError(f"schema.sql lacks {_COMMIT_MARKER!r} or {_POST_DATA_MARKER!r}")
    return roles_sql, pre_data_sql, post_data_sql


def _refuse_non_empty(conn: psycopg.Connection[Any]) -> None:
    row = conn.execute(
        """
        SELECT n.nspname || coalesce('.' || c.relname, '')
          FROM pg_catalog.pg_namespace n
          LEFT JOIN pg_catalog.pg_class c
                 ON c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm')
         WHERE n.nspname = 'auth' OR (n.nspname = 'public' AND c.oid IS NOT NULL)
         ORDER BY 1
         LIMIT 1
        """
    ).fetchone()
    if row is not None:
        dbname = conn.info.dbname
        raise TargetNotEmpty(
            f"database {dbname!r} is not empty ({row[0]} exists): load the demo into a new database"
        )


def _copy_rows(
    cur: psycopg.Cursor[Any], table: str, columns: Sequence[str], rows: Iterator[Row]
) -> None:
    schema, name = table.split(".")
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(schema, name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _advance_sequences(conn: psycopg.Connection[Any]) -> None:
    # COPY wrote explicit ids, which leaves serial and identity sequences at their start;
    # a real source has them at max(id), and the migrator's sequence check expects that.
    owned = conn.execute(
        """
        SELECT n.nspname, c.relname, a.attname,
               pg_catalog.pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname)
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
                                        AND NOT a.attisdropped
         WHERE n.nspname IN ('auth', 'public')
           AND c.relkind IN ('r', 'p') AND NOT c.relispartition
           AND pg_catalog.pg_get_serial_sequence(
                   format('%I.%I', n.nspname, c.relname), a.attname) IS NOT NULL
         ORDER BY 1, 2, 3
        """
    ).fetchall()
    for schema, table, column, sequence in owned:
        conn.execute(
            sql.SQL("SELECT pg_catalog.setval(%s::regclass, max({})) FROM {}").format(
                sql.Identifier(column), sql.Identifier(schema, table)
            ),
            (sequence,),
        )


def _count_rows(conn: psycopg.Connection[Any]) -> dict[str, int]:
    # Ordinary tables only: leaf partitions are counted, their partitioned parents are not,
    # so the values add up to the rows in the database.
    tables = conn.execute(
        """
        SELECT n.nspname, c.relname
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN ('auth', 'public') AND c.relkind = 'r'
         ORDER BY 1, 2
        """
    ).fetchall()
    counts: dict[str, int] = {}
    for schema, table in tables:
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))
        ).fetchone()
        counts[f"{schema}.{table}"] = int(row[0]) if row else 0
    return counts


# ---------------------------------------------------------------------------------------
# Fake but Russian-shaped personal data
# ---------------------------------------------------------------------------------------
def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_MALE_FIRST = _words(
    """
    Александр Дмитрий Максим Сергей Андрей Алексей Артём Илья Кирилл Михаил Никита Матвей
    Роман Егор Иван Олег Павел Владимир Юрий Тимур
    """
)
_FEMALE_FIRST = _words(
    """
    Анна Мария Елена Ольга Наталья Екатерина Татьяна Ирина Светлана Юлия Анастасия Дарья
    Полина Виктория Ксения Алёна Софья Валерия Людмила Жанна
    """
)
_SURNAMES = _words(
    """
    Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов
    Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев
    Макаров Никитин Захаров
    """
)
# Surnames that do not change with gender.
_PLAIN_SURNAMES = ("Ким", "Шевчук", "Бондаренко", "Цой")
# "❤️" carries a variation selector (U+FE0F): two code points that must survive the move.
_EMOJI = ("🌸", "💅", "✨", "🙂", "❤️", "👑", "🌷")
_DOMAINS = ("mail.ru", "yandex.ru", "gmail.com", "inbox.ru", "bk.ru")
_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_LATIN = _words("a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh sch - y - e yu ya")
_TRANSLIT = str.maketrans({cyr: lat.strip("-") for cyr, lat in zip(_CYRILLIC, _LATIN, strict=True)})


def _translit(text: str) -> str:
    return text.lower().translate(_TRANSLIT)


def _person(rng: random.Random) -> tuple[str, str, str]:
    """(first name, surname, full name) of a random person."""
    female = rng.random() < 0.7  # a beauty salon's clientele
    first = rng.choice(_FEMALE_FIRST if female else _MALE_FIRST)
    if rng.random() < 0.05:
        surname = rng.choice(_PLAIN_SURNAMES)
    else:
        surname = rng.choice(_SURNAMES) + ("а" if female else "")
    return first, surname, f"{first} {surname}"


def _phone(index: int, salt: int) -> str:
    """+79XXXXXXXXX, distinct for distinct indexes below 10**9 (multiplying by a number
    coprime to 10**9 permutes the residues), so unique indexes never collide."""
    return f"+79{(index * 7_654_321 + salt) % 1_000_000_000:09d}"


def _email(rng: random.Random, first: str, surname: str, number: int) -> str:
    return f"{_translit(first)}.{_translit(surname)}{number}@{rng.choice(_DOMAINS)}"


def _uid(seed: int, kind: str, index: int) -> uuid.UUID:
    """A version-4-shaped UUID that is a pure function of (seed, kind, index)."""
    digest = hashlib.blake2b(f"{seed}:{kind}:{index}".encode(), digest_size=16).digest()
    return uuid.UUID(bytes=digest, version=4)


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)  # Decimal(1050).scaleb(-2) == Decimal("10.50"), scale kept


def _ago(rng: random.Random, max_days: float, *, base: datetime = BASE_TIME) -> datetime:
    # Microsecond resolution on purpose: timestamptz must keep every digit.
    return base - timedelta(microseconds=rng.randrange(int(max_days * 86_400_000_000)))


# ---------------------------------------------------------------------------------------
# Baileys buffers: the library's replacer writes base64, Node's Buffer.toJSON a byte list,
# and old data carries {"buffer": true, "value": base64}. All three must revive the same.
# ---------------------------------------------------------------------------------------
_B64, _LIST, _LEGACY = "base64", "list", "legacy"


def _buffer(data: bytes, shape: str) -> dict[str, Any]:
    if shape == _LIST:
        return {"type": "Buffer", "data": list(data)}
    if shape == _LEGACY:
        return {"buffer": True, "value": base64.b64encode(data).decode()}
    return {"type": "Buffer", "data": base64.b64encode(data).decode()}


def _shape_for(counter: int) -> str:
    # By position, not by chance: every key type gets all three shapes at scale 1.
    if counter % 29 == 5:
        return _LEGACY
    return _LIST if counter % 3 == 1 else _B64


def _key_pair(rng: random.Random, shapes: tuple[str, str], public_len: int = 32) -> dict[str, Any]:
    return {
        "private": _buffer(rng.randbytes(32), shapes[0]),
        "public": _buffer(rng.randbytes(public_len), shapes[1]),
    }


def _signal_public(rng: random.Random) -> bytes:
    # libsignal prefixes a Curve25519 public key with its type byte 0x05: 33 bytes.
    return b"\x05" + rng.randbytes(32)


# Key types and their counts per tenant at scale 1 (sum 728, the review's count).
_KEY_TYPE_COUNTS: tuple[tuple[str, int], ...] = (
    ("pre-key", 300),
    ("session", 180),
    ("sender-key", 90),
    ("app-state-sync-key", 40),
    ("app-state-sync-version", 5),
    ("sender-key-memory", 45),
    ("lid-mapping", 68),
)
_KEY_TTL_DAYS = {"lid-mapping": 7, "pre-key": 7, "session": 7, "sender-key": 7}
_DEFAULT_KEY_TTL_DAYS = 14
_APP_STATE_COLLECTIONS = _words(
    """
    critical_block critical_unblock_low regular regular_high regular_low
    """
)

_SERVICES = (
    ("Стрижка женская", 60, 180000),
    ("Стрижка мужская", 45, 120000),
    ("Окрашивание в один тон", 120, 450000),
    ("Мелирование", 150, 550000),
    ("Маникюр с покрытием гель-лак", 90, 250000),
    ("Педикюр", 90, 300000),
    ("Массаж спины", 45, 220000),
    ("Чистка лица", 60, 350000),
    ("Укладка", 40, 150000),
    ("Коррекция бровей", 30, 80000),
    ("Ламинирование ресниц", 60, 270000),
    ("Консультация стилиста", 30, 1050),
)
_SERVICE_VARIANTS = ("", " (экспресс)", " (премиум)", " + уход", " (топ-мастер)")
_POSITIONS = ("Парикмахер", "Мастер маникюра", "Массажист", "Косметолог", "Бровист", "Стилист")
_TAGS = ("постоянный", "новый", "vip", "не беспокоить", "скидка 10%", "рекомендация")
_SYNC_RESOURCES = ("clients", "services", "staff", "staff_schedules", "bookings", "appointments")
_MIGRATIONS = _words(
    """
    init companies_and_clients services_and_staff staff_schedules booking_status_enum
    bookings reminders dialog_contexts messages_partitioned whatsapp_auth whatsapp_keys
    appointments_cache_and_sync_status rls_policies upcoming_bookings_view
    """
)
_INBOUND = (
    "Здравствуйте! Можно записаться на стрижку?",
    "А на завтра есть окошко? 🙏",
    "Спасибо, до встречи!",
    "Подскажите, сколько стоит маникюр?",
    "Я опоздаю минут на 10 😅",
    "Хочу перенести запись",
    "👍",
    "Да",
    "Отмените, пожалуйста, запись",
    "Ок",
)
_OUTBOUND = (
    "Здравствуйте! 👋 Выберите услугу:\n1. Стрижка\n2. Маникюр\n3. Массаж",
    "Вы записаны на {when}. Ждём вас! ✨",
    "Напоминаем о записи завтра в {when}",
    "Свободные окна: 10:00, 11:30, 16:00",
    "Запись отменена. Будем рады видеть вас снова 🌷",
)


class _Generator:
    """Row streams for every demo table at one (seed, scale)."""

    def __init__(self, *, seed: int, scale: float) -> None:
        self.seed = seed
        self.n = {table: max(1, int(base * scale + 0.5)) for table, base in BASE_COUNTS.items()}
        self.companies = self.n["public.companies"]
        pattern = [kind for kind, count in _KEY_TYPE_COUNTS for _ in range(count)]
        random.Random(f"{seed}:whatsapp_keys:pattern").shuffle(pattern)
        self.key_pattern = pattern
        # Position p in the pattern is the k-th key of its type: key ids stay unique.
        seen: dict[str, int] = {}
        self.key_ordinal: list[int] = []
        for kind in pattern:
            self.key_ordinal.append(seen.get(kind, 0))
            seen[kind] = seen.get(kind, 0) + 1
        self.key_type_total = dict(_KEY_TYPE_COUNTS)

    def tables(self) -> Iterator[tuple[str, tuple[str, ...], Iterator[Row]]]:
        """(table, columns, lazy rows) in foreign-key order."""
        # Column lists as words: COPY names every column it writes, in this order.
        streams: dict[str, tuple[str, Callable[[int], Row]]] = {
            "auth.users": ("id email phone raw_user_meta_data created_at", self.user),
            "public.companies": ("id name timezone settings created_at updated_at", self.company),
            "public.clients": (
                "id company_id user_id name phone email notes tags balance loyalty_points"
                " rating is_vip avatar preferences last_visit_at created_at updated_at",
                self.client,
            ),
            "public.services": (
                "id company_id name description duration_minutes price is_active external_id"
                " updated_at",
                self.service,
            ),
            "public.staff": (
                "id company_id user_id name phone position specializations is_active updated_at",
                self.staff,
            ),
            "public.staff_schedules": (
                "id staff_id work_date start_time end_time is_day_off updated_at",
                self.staff_schedule,
            ),
            "public.bookings": (
                "id company_id client_id service_id staff_id start_at end_at status price"
                " client_name client_phone comment source external_id created_at updated_at",
                self.booking,
            ),
            "public.reminders": (
                "id booking_id kind remind_at sent_at attempts last_error updated_at",
                self.reminder,
            ),
            "public.appointments_cache": (
                "company_id external_id payload fetched_at updated_at",
                self.appointment,
            ),
            "public.dialog_contexts": (
                "id company_id client_id phone state context expires_at updated_at",
                self.dialog_context,
            ),
            "public.sync_status": (
                "company_id resource last_synced_at items_synced cursor last_error updated_at",
                self.sync_status,
            ),
            "public.messages": (
                "id company_id client_id direction remote_jid wa_message_id body payload"
                " created_at updated_at",
                self.message,
            ),
            "public.whatsapp_auth": ("company_id creds updated_at", self.whatsapp_auth),
            "public.whatsapp_keys": (
                "company_id key_type key_id value expires_at updated_at",
                self.whatsapp_key,
            ),
            "public.schema_migrations": ("version applied_at", self.schema_migration),
        }
        assert list(streams) == list(BASE_COUNTS), "load order must follow BASE_COUNTS"
        for table, (columns, make_row) in streams.items():
            yield table, _words(columns), map(make_row, range(self.n[table]))

    # -- helpers shared by referencing tables ---------------------------------------------
    def _rng(self, table: str, index: int) -> random.Random:
        return random.Random(f"{self.seed}:{table}:{index}")

    def company_id(self, c: int) -> str:
        return "studio-lotos" if c == 0 else f"tenant-{c:05d}"

    def _same_company(self, rng: random.Random, table: str, c: int) -> int:
        """A random row index of `table` that belongs to company c (rows go round-robin)."""
        owned = len(range(c, self.n[table], self.companies))
        if owned == 0:  # only at odd scales with more tenants than rows
            return rng.randrange(self.n[table])
        return c + self.companies * rng.randrange(owned)

    def client_identity(self, i: int) -> tuple[str, str, str | None]:
        """(name, phone, email) of client i; the awkward values sit at fixed rows."""
        return self._client_identity(self._rng("public.clients", i), i)

    def _client_identity(self, rng: random.Random, i: int) -> tuple[str, str, str | None]:
        # Draws first from the client's own stream, so client() can go on drawing from it
        # (one seeding per client row instead of two; seeding costs ~6 µs).
        first, surname, name = _person(rng)
        email: str | None = _email(rng, first, surname, i)
        if i == 0:
            name, email = "Анна Смирнова", None
        elif i == 1:
            name, email = "Мария 🌸 Кузнецова", ""
        elif i == 2:
            name = "Олег Петров "  # trailing space, as typed into WhatsApp
        elif i == 3:
            name = "Ёлка ❤️ Иванова-Сидорова"
        elif i % 97 == 5:
            email = None
        elif i % 89 == 7:
            email = ""
        if i > 3 and i % 50 == 0:
            name = f"{first} {rng.choice(_EMOJI)}"  # WhatsApp push names are informal
        elif i > 3 and i % 131 == 3:
            name += " "
        return name, _phone(i, 12_345_678), email

    def staff_identity(self, j: int) -> tuple[str, str | None]:
        rng = self._rng("staff:identity", j)
        _first, _surname, name = _person(rng)
        return name, (None if j % 5 == 4 else _phone(j, 500_000_001))

    def service_core(self, j: int) -> tuple[str, int, int]:
        """(name, duration in minutes, price in kopecks) of service j."""
        base_name, minutes, kopecks = _SERVICES[j % len(_SERVICES)]
        variant = _SERVICE_VARIANTS[(j // len(_SERVICES)) % len(_SERVICE_VARIANTS)]
        cycle = j // (len(_SERVICES) * len(_SERVICE_VARIANTS))
        suffix = f" #{cycle + 1}" if cycle else ""
        return f"{base_name}{variant}{suffix}", minutes, kopecks

    def booking_core(self, b: int) -> tuple[int, int, int | None, datetime, datetime, str]:
        """(client, service, staff or None, start, end, status) of booking b."""
        rng = self._rng("bookings:core", b)
        client = rng.randrange(self.n["public.clients"])
        c = client % self.companies
        service = self._same_company(rng, "public.services", c)
        staff = None if rng.random() < 0.1 else self._same_company(rng, "public.staff", c)
        # Quarter-hour slots from 30 days back to 30 days ahead, in Moscow working hours.
        day = rng.randrange(-30, 31)
        slot = rng.randrange(7 * 4, 17 * 4)  # 10:00..19:45 MSK is 07:00..16:45 UTC
        start = datetime.combine(BASE_TIME.date() + timedelta(days=day), dtime(0), _UTC)
        start += timedelta(minutes=15 * slot)
        end = start + timedelta(minutes=self.service_core(service)[1])
        if start < BASE_TIME:
            status = rng.choices(("completed", "cancelled", "no_show"), (8, 2, 1))[0]
        else:
            status = rng.choice(("pending", "confirmed", "confirmed", "cancelled"))
        return client, service, staff, start, end, status

    # -- one function per table: row number -> row ----------------------------------------
    def user(self, j: int) -> Row:
        rng = self._rng("auth.users", j)
        n_staff = self.n["public.staff"]
        if j < n_staff:
            name, staff_phone = self.staff_identity(j)
            role = "staff"
            phone = staff_phone[1:] if staff_phone else None  # GoTrue keeps phones without '+'
        else:
            _first, _surname, name = _person(rng)
            role = "owner" if j == n_staff else "client"
            phone = _phone(j, 900_000_003)[1:]
        email = f"user{j}.{_translit(name.split()[0])}@example.com" if j % 4 != 3 else None
        meta: dict[str, str | None] = {"full_name": name, "role": role, "locale": "ru-RU"}
        if j % 3 == 0:
            meta["avatar_url"] = None
        return _uid(self.seed, "users", j), email, phone, Jsonb(meta), _ago(rng, 500)

    def company(self, c: int) -> Row:
        rng = self._rng("public.companies", c)
        name = "Студия красоты «Лотос»" if c == 0 else f"Салон «{rng.choice(_SURNAMES)} и партнёры»"
        settings = {
            "working_hours": {
                day: ["10:00", "21:00"] for day in ("mon", "tue", "wed", "thu", "fri")
            }
            | {"sat": ["11:00", "18:00"], "sun": None},
            "reminders": {"day_before": True, "hours_before": 2},
            "booking_system": "yclients",
            "welcome": "Здравствуйте! 👋 Я помогу записаться.",
            "deposit_ratio": 0.3,
        }
        created = _ago(rng, 700)
        return (
            self.company_id(c),
            name,
            "Europe/Moscow",
            Jsonb(settings),
            created,
            created + timedelta(days=rng.randrange(1, 100), microseconds=rng.randrange(10**6)),
        )

    def client(self, i: int) -> Row:
        rng = self._rng("public.clients", i)
        name, phone, email = self._client_identity(rng, i)
        n_users, n_staff = self.n["auth.users"], self.n["public.staff"]
        user_id = None
        if i % 50 == 0 and n_users > n_staff:
            user_id = _uid(self.seed, "users", n_staff + (i // 50) % (n_users - n_staff))
        notes: str | None = None
        if rng.random() < 0.15:
            notes = rng.choice(
                ("Аллергия на латекс", "Просит мастера Ольгу", "Приходит с ребёнком")
            )
        tags: list[str | None] | None = None
        if rng.random() < 0.4:
            tags = rng.sample(_TAGS, rng.randrange(1, 3))
            if i % 73 == 0:
                tags.insert(1, None)
        balance = _money(rng.randrange(0, 500_000) if rng.random() < 0.3 else 0)
        # Unconstrained numeric keeps whatever scale it was given: 7, 7.5, 7.50, 7.125.
        points = Decimal(rng.randrange(0, 10_000)).scaleb(-rng.randrange(4))
        rating = round(rng.uniform(1, 5), 2) if rng.random() < 0.6 else None
        is_vip = rng.choice((True, False, False, None))
        avatar = rng.randbytes(rng.randrange(8, 48)) if i % 10 == 0 else None
        preferences: dict[str, Any] = {
            "lang": "ru",
            "reminders": rng.random() < 0.8,
            "preferred_time": rng.choice(("утро", "день", "вечер", None)),
        }
        last_visit = _ago(rng, 180) if rng.random() < 0.7 else None
        created = _ago(rng, 720)
        updated = created + timedelta(microseconds=rng.randrange(30 * 86_400_000_000))
        if i == 0:
            notes, tags = None, ["vip", None, "постоянный"]
            balance, points, rating, is_vip = Decimal("10.50"), Decimal("10.50"), 4.75, True
            avatar = b"\x00\x01\xff\xfe\\\n\t PNG"  # NUL, backslash, newline and tab bytes
            preferences = {
                "lang": "ru",
                "score": 1.0,
                "visits": [1, 2.50, None],
                "nested": {"a": {}},
            }
            last_visit = datetime(2026, 11, 19, 18, 42, 7, 123456, _UTC)
        elif i == 1:
            notes, tags, rating, is_vip = "", [], 0.30000000000000004, None
            last_visit = datetime(2026, 11, 1, 0, 0, 0, 1, _UTC)
        elif i == 2:
            notes = "Перезвонить после 18:00\nвход со двора\tкод C:\\12"  # COPY escapes these
            points = Decimal("10.5")
        return (
            i + 1,
            self.company_id(i % self.companies),
            user_id,
            name,
            phone,
            email,
            notes,
            tags,
            balance,
            points,
            rating,
            is_vip,
            avatar,
            Jsonb(preferences),
            last_visit,
            created,
            updated,
        )

    def service(self, j: int) -> Row:
        rng = self._rng("public.services", j)
        name, minutes, kopecks = self.service_core(j)
        description = rng.choice(
            (None, "", "Мастер подберёт уход по типу волос", "Без записи не обслуживаем")
        )
        external = f"yc-svc-{10_000 + j}" if rng.random() < 0.8 else None
        return (
            _uid(self.seed, "services", j),
            self.company_id(j % self.companies),
            name,
            description,
            minutes,
            _money(kopecks),
            j % 17 != 16,
            external,
            _ago(rng, 200),
        )

    def staff(self, j: int) -> Row:
        rng = self._rng("public.staff", j)
        name, phone = self.staff_identity(j)
        user_id = _uid(self.seed, "users", j) if j % 3 != 2 else None
        specializations = rng.sample(_POSITIONS, rng.randrange(0, 3))
        return (
            _uid(self.seed, "staff", j),
            self.company_id(j % self.companies),
            user_id,
            name,
            phone,
            rng.choice(_POSITIONS),
            specializations,
            j % 11 != 10,
            _ago(rng, 90),
        )

    def staff_schedule(self, k: int) -> Row:
        rng = self._rng("public.staff_schedules", k)
        n_staff = self.n["public.staff"]
        # One row per (staff, day): unique by construction, days walk forward per round.
        work_date = date(2026, 11, 16) + timedelta(days=k // n_staff)
        day_off = rng.random() < 0.15
        start = dtime(rng.choice((9, 10, 11)), rng.choice((0, 30)))
        end = dtime(rng.choice((18, 19, 20, 21)), 0)
        return (
            k + 1,
            _uid(self.seed, "staff", k % n_staff),
            work_date,
            start,
            end,
            day_off,
            _ago(rng, 14),
        )

    def booking(self, b: int) -> Row:
        rng = self._rng("public.bookings", b)
        client, service, staff, start, end, status = self.booking_core(b)
        client_name, client_phone, _ = self.client_identity(client)
        _name, _minutes, kopecks = self.service_core(service)
        source = rng.choices(("whatsapp", "admin", "external"), (6, 2, 2))[0]
        external = f"yc-{3_000_000 + b}" if source == "external" else None
        comment = rng.choice((None, None, "", "Первый визит", "Оплата картой 💳"))
        created = start - timedelta(days=rng.randrange(1, 20), microseconds=rng.randrange(10**10))
        updated = created + timedelta(microseconds=rng.randrange(86_400_000_000))
        return (
            _uid(self.seed, "bookings", b),
            self.company_id(client % self.companies),
            client + 1,
            _uid(self.seed, "services", service),
            None if staff is None else _uid(self.seed, "staff", staff),
            start,
            end,
            status,
            _money(kopecks) if status != "cancelled" else None,
            client_name,
            client_phone,
            comment,
            source,
            external,
            created,
            updated,
        )

    def reminder(self, r: int) -> Row:
        rng = self._rng("public.reminders", r)
        b = (r // 2) % self.n["public.bookings"]
        start = self.booking_core(b)[3]
        kind = ("day_before", "hours_before")[r % 2] if r % 19 != 18 else "custom"
        remind_at = start - (timedelta(days=1) if kind == "day_before" else timedelta(hours=2))
        sent_at = None
        attempts = 0
        last_error = None
        if remind_at < BASE_TIME:
            attempts = 1
            if rng.random() < 0.1:
                attempts, last_error = 3, "Ошибка отправки: номер не зарегистрирован в WhatsApp"
            else:
                sent_at = remind_at + timedelta(microseconds=rng.randrange(90_000_000))
        updated = sent_at or remind_at - timedelta(days=2)
        return (
            r + 1,
            _uid(self.seed, "bookings", b),
            kind,
            remind_at,
            sent_at,
            attempts,
            last_error,
            updated,
        )

    def appointment(self, a: int) -> Row:
        rng = self._rng("public.appointments_cache", a)
        c = a % self.companies
        client = self._same_company(rng, "public.clients", c)
        name, phone, _ = self.client_identity(client)
        service_name, minutes, kopecks = self.service_core(
            self._same_company(rng, "public.services", c)
        )
        start = BASE_TIME + timedelta(days=rng.randrange(-20, 40), hours=rng.randrange(0, 10))
        payload = {
            "id": 700_000_000 + a,
            "datetime": start.astimezone(timezone(timedelta(hours=3))).isoformat(),
            "seance_length": minutes * 60,
            "services": [{"title": service_name, "cost": kopecks / 100, "discount": 0}],
            "client": {"name": name, "phone": phone},
            "attendance": rng.choice((-1, 0, 1, 2)),
            "comment": rng.choice(("", "перенос с прошлой недели", None)),
            "deleted": False,
        }
        fetched = _ago(rng, 3)
        return (self.company_id(c), str(700_000_000 + a), Jsonb(payload), fetched, fetched)

    def dialog_context(self, d: int) -> Row:
        rng = self._rng("public.dialog_contexts", d)
        # Spread over the clients, one dialog per client: (company, phone) stays unique.
        client = d * max(1, self.n["public.clients"] // self.n["public.dialog_contexts"])
        client %= self.n["public.clients"]
        name, phone, _ = self.client_identity(client)
        state = rng.choice(("idle", "choosing_service", "choosing_slot", "confirming"))
        c = client % self.companies
        service = self._same_company(rng, "public.services", c)
        context = {
            "step": state,
            "client_name": name,
            "selected": {
                "service_id": str(_uid(self.seed, "services", service)),
                "date": (BASE_TIME.date() + timedelta(days=rng.randrange(1, 8))).isoformat(),
                "slots": ["10:00", "11:30", "16:00"][: rng.randrange(0, 4)],
            },
            "history": [
                {"role": "user", "text": rng.choice(_INBOUND)},
                {"role": "assistant", "text": _OUTBOUND[0]},
            ],
            "retries": rng.randrange(3),
        }
        updated = _ago(rng, 2)
        return (
            d + 1,
            self.company_id(c),
            client + 1,
            phone,
            state,
            Jsonb(context),
            updated + timedelta(hours=24),
            updated,
        )

    def sync_status(self, s: int) -> Row:
        rng = self._rng("public.sync_status", s)
        c, k = s % self.companies, s // self.companies
        resource = _SYNC_RESOURCES[k % len(_SYNC_RESOURCES)]
        if k >= len(_SYNC_RESOURCES):
            resource += f"#{k // len(_SYNC_RESOURCES)}"
        synced = _ago(rng, 1)
        error = "timeout of 30000ms exceeded" if s % 6 == 5 else None
        cursor = {"page": rng.randrange(1, 40), "since": synced.isoformat()} if s % 3 else None
        return (
            self.company_id(c),
            resource,
            synced,
            rng.randrange(0, 5000),
            None if cursor is None else Jsonb(cursor),
            error,
            synced,
        )

    def message(self, m: int) -> Row:
        rng = self._rng("public.messages", m)
        client = rng.randrange(self.n["public.clients"])
        name, phone, _ = self.client_identity(client)
        inbound = rng.random() < 0.55
        if m % 17 == 3:
            # Outside the monthly partitions: old history, or a device clock running ahead.
            if m % 2:
                created = _ago(rng, 31, base=datetime(2026, 9, 1, tzinfo=_UTC))
            else:
                created = datetime(2026, 12, 1, tzinfo=_UTC) + timedelta(
                    microseconds=rng.randrange(86_400_000_000 * 3)
                )
        else:
            created = _ago(rng, (BASE_TIME - datetime(2026, 9, 1, tzinfo=_UTC)).days)
        wa_id = ("" if inbound else "3EB0") + f"{rng.getrandbits(64):016X}"
        jid = f"{phone[1:]}@s.whatsapp.net"
        if inbound:
            body: str | None = rng.choice(_INBOUND)
        else:
            when = (created + timedelta(days=1)).astimezone(timezone(timedelta(hours=3)))
            body = rng.choice(_OUTBOUND).format(when=when.strftime("%d.%m в %H:%M"))
        payload: dict[str, Any] | None = {
            "key": {"remoteJid": jid, "fromMe": not inbound, "id": wa_id},
            "messageTimestamp": int(created.timestamp()),
            "pushName": name if inbound else None,
        }
        if m % 23 == 0:
            body, payload = (
                None,
                {
                    "key": {"remoteJid": jid, "fromMe": False, "id": wa_id},
                    "message": {"imageMessage": {"mimetype": "image/jpeg"}},
                },
            )
        elif m % 31 == 1:
            payload = None
        return (
            m + 1,
            self.company_id(client % self.companies),
            client + 1,
            "in" if inbound else "out",
            jid,
            wa_id,
            body,
            None if payload is None else Jsonb(payload),
            created,
            created,
        )

    def whatsapp_auth(self, c: int) -> Row:
        rng = self._rng("public.whatsapp_auth", c)
        flip = c % 2  # tenants differ in which field carries which shape
        b64, lst = (_B64, _LIST) if not flip else (_LIST, _B64)
        phone = _phone(c, 111_111_111)[1:]
        lid = 100_000_000_000_000 + rng.randrange(10**14)
        creds = {
            "noiseKey": _key_pair(rng, (b64, b64)),
            "pairingEphemeralKeyPair": _key_pair(rng, (lst, lst)),
            "signedIdentityKey": _key_pair(rng, (b64, lst)),
            "signedPreKey": {
                "keyPair": _key_pair(rng, (b64, b64), public_len=33),
                "signature": _buffer(rng.randbytes(64), lst),
                "keyId": 1,
            },
            "registrationId": rng.randrange(1, 16_380),
            "advSecretKey": base64.b64encode(rng.randbytes(32)).decode(),  # text, not a Buffer
            "processedHistoryMessages": [
                {
                    "key": {
                        "remoteJid": f"{phone}@s.whatsapp.net",
                        "fromMe": True,
                        "id": f"{rng.getrandbits(64):016X}",
                    },
                    "messageTimestamp": 1_763_000_000 + rng.randrange(10**6),
                },
            ],
            "nextPreKeyId": 301 + rng.randrange(1000),
            "firstUnuploadedPreKeyId": 301,
            "accountSyncCounter": rng.randrange(1, 5),
            "accountSettings": {"unarchiveChats": False},
            "registered": True,
            "pairingCode": None,
            "lastPropHash": f"{rng.getrandbits(24):06x}",
            "routingInfo": _buffer(rng.randbytes(12), _LEGACY),  # the older shape survives here
            "me": {
                "id": f"{phone}:{rng.randrange(1, 40)}@s.whatsapp.net",
                "name": "Студия «Лотос» 🌸",
                "lid": f"{lid}:12@lid",
            },
            "account": {
                "details": _buffer(rng.randbytes(40), b64),
                "accountSignatureKey": _buffer(_signal_public(rng), lst),
                "accountSignature": _buffer(rng.randbytes(64), b64),
                "deviceSignature": _buffer(rng.randbytes(64), lst),
            },
            "signalIdentities": [
                {
                    "identifier": {"name": f"{phone}:0@s.whatsapp.net", "deviceId": 0},
                    "identifierKey": _buffer(_signal_public(rng), lst),
                },
                {
                    "identifier": {"name": f"{lid}:0@lid", "deviceId": 0},
                    "identifierKey": _buffer(_signal_public(rng), b64),
                },
            ],
            "platform": "smba",
            "lastAccountSyncTimestamp": 1_763_500_000 + rng.randrange(10**5),
            "myAppStateKeyId": base64.b64encode(rng.randbytes(6)).decode(),
        }
        return self.company_id(c), Jsonb(creds), _ago(rng, 2)

    def whatsapp_key(self, w: int) -> Row:
        rng = self._rng("public.whatsapp_keys", w)
        c, k = w % self.companies, w // self.companies
        position = k % len(self.key_pattern)
        kind = self.key_pattern[position]
        n = (k // len(self.key_pattern)) * self.key_type_total[kind] + self.key_ordinal[position]
        shape = _shape_for(n)
        key_id, value = self._key_value(rng, kind, n, shape)
        written = _ago(rng, 20)
        ttl = _KEY_TTL_DAYS.get(kind, _DEFAULT_KEY_TTL_DAYS)
        return (
            self.company_id(c),
            kind,
            key_id,
            Jsonb(value),
            written + timedelta(days=ttl),
            written,
        )

    def _key_value(self, rng: random.Random, kind: str, n: int, shape: str) -> tuple[str, Any]:
        """(key id, JSON value) of the n-th key of its type within a tenant."""
        if kind == "pre-key":
            return str(n + 1), _key_pair(rng, (shape, shape))
        if kind == "session":
            key_id = f"{_phone(n, 222_222_222)[1:]}.{n % 3}"
            record = rng.randbytes(rng.randrange(180, 400))
            if n % 3 == 2:
                return key_id, _buffer(record, _LIST if n % 2 else _B64)
            return key_id, base64.b64encode(record).decode()  # a plain string, not a Buffer
        if kind == "sender-key":
            group = f"120363{100_000_000_000 + n * 7919:012d}@g.us"
            member = _phone(n, 333_333_333)[1:]
            states = [
                {
                    "senderKeyId": rng.randrange(2**31),
                    "senderChainKey": {
                        "iteration": rng.randrange(500),
                        "seed": _buffer(rng.randbytes(32), shape),
                    },
                    "senderSigningKey": {"public": _buffer(_signal_public(rng), shape)},
                    "senderMessageKeys": [
                        {"iteration": rng.randrange(500), "seed": _buffer(rng.randbytes(32), shape)}
                        for _ in range(rng.randrange(3))
                    ],
                }
                for _ in range(rng.randrange(1, 3))
            ]
            return f"{group}::{member}::0", states
        if kind == "app-state-sync-key":
            key_id = base64.b64encode(n.to_bytes(6, "big")).decode()
            return key_id, {
                "keyData": _buffer(rng.randbytes(32), shape),
                "fingerprint": {
                    "rawId": rng.randrange(2**31),
                    "currentIndex": rng.randrange(9),
                    "deviceIndexes": [0, 1, rng.randrange(2, 9)],
                },
                "timestamp": str(1_763_000_000_000 + rng.randrange(10**9)),
            }
        if kind == "app-state-sync-version":
            name = _APP_STATE_COLLECTIONS[n % len(_APP_STATE_COLLECTIONS)]
            if n >= len(_APP_STATE_COLLECTIONS):
                name += f"-{n // len(_APP_STATE_COLLECTIONS)}"
            index_map = {
                base64.b64encode(rng.randbytes(32)).decode(): {
                    "valueMac": _buffer(rng.randbytes(32), shape)
                }
                for _ in range(rng.randrange(1, 5))
            }
            return name, {
                "version": rng.randrange(1, 900),
                "hash": _buffer(rng.randbytes(128), shape),
                "indexValueMap": index_map,
            }
        if kind == "sender-key-memory":
            group = f"120363{200_000_000_000 + n * 7919:012d}@g.us"
            members = {
                f"{_phone(n * 8 + d, 444_444_444)[1:]}:{d % 3}@s.whatsapp.net": True
                for d in range(rng.randrange(1, 6))
            }
            return group, members
        if kind == "lid-mapping":
            lid = str(100_000_000_000_000 + n // 2 * 104_729)
            phone = _phone(n // 2, 555_555_555)[1:]
            # Baileys stores both directions: phone -> lid and "<lid>_reverse" -> phone.
            return (phone, lid) if n % 2 == 0 else (f"{lid}_reverse", phone)
        raise ValueError(f"unknown key type {kind!r}")

    def schema_migration(self, v: int) -> Row:
        rng = self._rng("public.schema_migrations", v)
        applied = datetime(2025, 1, 10, 12, 0, tzinfo=_UTC) + timedelta(
            days=v, microseconds=rng.randrange(86_400_000_000)
        )
        name = _MIGRATIONS[v] if v < len(_MIGRATIONS) else f"data_fix_{v - len(_MIGRATIONS) + 1}"
        return f"{applied:%Y%m%d%H%M%S}_{name}", applied
