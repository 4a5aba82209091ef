// Build output: never scanned.
var supabase = require('@supabase/supabase-js').createClient(process.env.SUPABASE_URL, 'key');
supabase.auth.getUser();
