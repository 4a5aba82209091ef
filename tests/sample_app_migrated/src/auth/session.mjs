import jwt from 'jsonwebtoken';

export function userFromToken(token) {
  try {
    return jwt.verify(token, process.env.JWT_SECRET);
  } catch {
    return null;
  }
}
