// Vendored code: never scanned.
export { createClient } from '@supabase/supabase-js';
