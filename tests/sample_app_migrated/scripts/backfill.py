"""Back-fills client e-mails from the booking system (run by hand)."""

import os

import psycopg


def backfill(rows):
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        for row in rows:
            conn.execute(
                "UPDATE public.clients SET email = %s WHERE id = %s", (row["email"], row["id"])
            )
