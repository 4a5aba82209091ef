'use strict';

const db = require('../db.js');

const BATCH = 100;

// The reference system's batched upsert: one statement per 100 rows.
async function upsertBookings(rows) {
  for (let i = 0; i < rows.length; i += BATCH) {
    const { error } = await db
      .from('bookings')
      .upsert(rows.slice(i, i + BATCH), { onConflict: 'company_id,external_id' });
    if (error) throw error;
  }
}

module.exports = { upsertBookings };
