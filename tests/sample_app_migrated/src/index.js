'use strict';

const http = require('http');
const db = require('./db');
const clients = require('./repositories/clients');
const { requireUser } = require('./middleware');

const COMPANY_ID = /^[A-Za-z0-9_-]{1,50}$/; // ids are validated before any query

async function health() {
  await db.query('SELECT 1');
  return true;
}

http
  .createServer(async (req, res) => {
    if (req.url === '/health') {
      res.end(JSON.stringify({ ok: await health() }));
      return;
    }
    const user = requireUser(req);
    const companyId = req.headers['x-company-id'];
    if (!COMPANY_ID.test(companyId)) {
      res.statusCode = 400;
      res.end('bad company id');
      return;
    }
    res.end(JSON.stringify(await clients.findByPhone(companyId, req.headers['x-phone'], user)));
  })
  .listen(process.env.PORT || 3000);
