'use strict';

// Strings and regular expressions that look like comments or quotes must not confuse a
// reader: none of these is an import.
const QUOTES = /['"`]/g;
const SLASHES = /\/\/+/;
const DOCS = 'see https://supabase.com/docs//reference (not an import)';
const EXAMPLE = "require('@supabase/supabase-js') is how the old code began";

function normalizePhone(text) {
  const digits = String(text).replace(/\D/g, '');
  return digits.length === 11 ? `+7${digits.slice(1)}` : `+${digits}`;
}

module.exports = { normalizePhone, QUOTES, SLASHES, DOCS, EXAMPLE };
