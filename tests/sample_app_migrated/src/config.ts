import type { Pool } from 'pg';

export interface Settings {
  databaseUrl: string;
}

export const settings: Settings = {
  databaseUrl: process.env.DATABASE_URL ?? '',
};

export type Db = Pool;
