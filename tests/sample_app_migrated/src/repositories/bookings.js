'use strict';

const db = require('../db.js');

// One statement for the whole batch: unnest the arrays, upsert once.
async function upsertBookings(rows) {
  await db.query(
    `INSERT INTO public.bookings (company_id, external_id, start_at, status)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::public.booking_status[])
     ON CONFLICT (company_id, external_id) DO UPDATE
       SET start_at = excluded.start_at, status = excluded.status`,
    [
      rows.map((r) => r.company_id),
      rows.map((r) => r.external_id),
      rows.map((r) => r.start_at),
      rows.map((r) => r.status),
    ],
  );
}

module.exports = { upsertBookings };
