'use strict';

const supabase = require('../db');

async function findByPhone(companyId, phone) {
  const { data, error } = await supabase
    .from('clients')
    .select('id, name, phone, email')
    .eq('company_id', companyId)
    .eq('phone', phone)
    .maybeSingle();
  if (error) throw error;
  return data;
}

// Books a slot atomically in a database function.
async function bookSlot(companyId, clientId, serviceId, startAt) {
  const { data, error } = await supabase.rpc('book_slot', {
    p_company_id: companyId,
    p_client_id: clientId,
    p_service_id: serviceId,
    p_start_at: startAt,
  });
  if (error) throw error;
  return data;
}

// The same trigger function the schema has: served by the target too.
async function touch(clientId) {
  return supabase.rpc('set_updated_at', { id: clientId });
}

module.exports = { findByPhone, bookSlot, touch };
