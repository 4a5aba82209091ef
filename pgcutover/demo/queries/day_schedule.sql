-- A staff member's day as the booking flow shows it: ordered by start time.
-- ordered: true
-- params: {"company_id": "studio-lotos", "day": "2026-12-10"}
-- params: {"company_id": "studio-lotos", "day": "2026-12-15"}
SELECT b.start_at, b.end_at, b.status::text AS status, s.name AS service, st.name AS staff_name,
       c.name AS client_name
FROM public.bookings b
JOIN public.services s ON s.id = b.service_id
JOIN public.clients c ON c.id = b.client_id
LEFT JOIN public.staff st ON st.id = b.staff_id
WHERE b.company_id = %(company_id)s
  AND b.start_at >= %(day)s::date AND b.start_at < %(day)s::date + 1
ORDER BY b.start_at, b.id
