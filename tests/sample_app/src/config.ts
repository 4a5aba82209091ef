import type { SupabaseClient } from '@supabase/supabase-js';

export interface Settings {
  databaseUrl: string;
  supabaseUrl: string;
}

export const settings: Settings = {
  databaseUrl: process.env.DATABASE_URL ?? '',
  supabaseUrl: process.env.SUPABASE_URL!,
};

export type Db = SupabaseClient;
