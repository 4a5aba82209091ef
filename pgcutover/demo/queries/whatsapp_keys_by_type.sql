-- What the WhatsApp session loads on reconnect: its key inventory by type.
-- ordered: true
-- params: {"company_id": "studio-lotos"}
SELECT k.key_type, count(*) AS keys, min(k.key_id) AS first_key, max(k.expires_at) AS last_expiry,
       md5(string_agg(k.value::text, ',' ORDER BY k.key_id)) AS values_md5
FROM public.whatsapp_keys k
WHERE k.company_id = %(company_id)s
GROUP BY k.key_type
ORDER BY k.key_type
