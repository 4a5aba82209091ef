-- The assistant's first query on every WhatsApp message: who is writing?
-- ordered: true
-- params: {"company_id": "studio-lotos", "phone": "+79012345678"}
-- params: {"company_id": "studio-lotos", "phone": "+79019999999"}
SELECT c.id, c.name, c.phone, c.email, c.tags, c.balance, c.preferences, c.updated_at
FROM public.clients c
WHERE c.company_id = %(company_id)s AND c.phone = %(phone)s
ORDER BY c.id
