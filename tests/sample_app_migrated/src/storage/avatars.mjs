import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const s3 = new S3Client({ endpoint: process.env.S3_ENDPOINT, region: 'ru-central1' });

export async function uploadAvatar(clientId, bytes) {
  const key = `clients/${clientId}.jpg`;
  await s3.send(new PutObjectCommand({ Bucket: 'avatars', Key: key, Body: bytes }));
  return key;
}
