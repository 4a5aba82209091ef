import db from '../db.js';

const BUCKET = 'avatars';

export async function uploadAvatar(clientId, bytes) {
  const path = `clients/${clientId}.jpg`;
  const { error } = await db.storage.from(BUCKET).upload(path, bytes, { upsert: true });
  if (error) throw error;
  return path;
}
