'use strict';

const db = require('../db');

async function findByPhone(companyId, phone) {
  const { rows } = await db.query(
    'SELECT id, name, phone, email FROM public.clients WHERE company_id = $1 AND phone = $2',
    [companyId, phone],
  );
  return rows[0] || null;
}

async function bookSlot(companyId, clientId, serviceId, startAt) {
  const { rows } = await db.query('SELECT public.book_slot($1, $2, $3, $4) AS id', [
    companyId,
    clientId,
    serviceId,
    startAt,
  ]);
  return rows[0].id;
}

module.exports = { findByPhone, bookSlot };
