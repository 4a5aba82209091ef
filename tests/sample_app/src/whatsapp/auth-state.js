'use strict';

// Already moved off Supabase (the review's "4% compliant": the two whatsapp_* tables).
// Was: const { createClient } = require('@supabase/supabase-js');
/* and before that:
   import { createClient } from '@supabase/supabase-js'
   supabase.auth.getSession() */
const { Pool } = require('pg');
const { BufferJSON, initAuthCreds } = require('@whiskeysockets/baileys');

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });

async function loadCreds(companyId) {
  const { rows } = await pool.query('SELECT creds FROM whatsapp_auth WHERE company_id = $1', [
    companyId,
  ]);
  if (!rows.length) return initAuthCreds();
  return JSON.parse(JSON.stringify(rows[0].creds), BufferJSON.reviver);
}

module.exports = { loadCreds };
