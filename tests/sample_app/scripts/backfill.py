"""Back-fills client e-mails from the booking system (run by hand)."""

import os

from supabase import create_client

client = create_client(os.environ["SUPABASE_URL"], os.environ["SUPABASE_SERVICE_ROLE_KEY"])


def backfill(rows):
    for row in rows:
        client.table("clients").update({"email": row["email"]}).eq("id", row["id"]).execute()
