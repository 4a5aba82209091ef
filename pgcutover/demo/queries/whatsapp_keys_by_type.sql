-- What the WhatsApp session loads on reconnect: its keys by type (the values as the
-- application reads them: Buffers compare by their bytes, whatever their JSON shape).
-- ordered: true
-- params: {"company_id": "studio-lotos"}
SELECT k.key_type, count(*) AS keys, min(k.key_id) AS first_key, max(k.expires_at) AS last_expiry,
       jsonb_agg(k.value ORDER BY k.key_id) AS "values"
FROM public.whatsapp_keys k
WHERE k.company_id = %(company_id)s
GROUP BY k.key_type
ORDER BY k.key_type
