// Pushes booking changes to the admin panel: LISTEN on the channel a trigger NOTIFYs.
import pg from 'pg';

export async function subscribe(onChange) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  client.on('notification', (msg) => onChange(JSON.parse(msg.payload)));
  await client.query('LISTEN bookings_changed');
  return client;
}
