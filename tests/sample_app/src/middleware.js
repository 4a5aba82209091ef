'use strict';

// Express-style request auth: `req.auth` is the gateway's, not Supabase's.
function requireUser(req) {
  if (!req.auth || !req.auth.user) {
    throw new Error('unauthenticated');
  }
  return req.auth.user;
}

module.exports = { requireUser };
