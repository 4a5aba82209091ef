import { createClient } from '@supabase/supabase-js';

const admin = createClient(process.env.SUPABASE_URL, process.env.SUPABASE_SERVICE_ROLE_KEY);

export async function userFromToken(token) {
  const { data, error } = await admin.auth.getUser(token);
  if (error) return null;
  return data.user;
}

export async function inviteStaff(email) {
  return admin.auth.admin.inviteUserByEmail(email);
}
