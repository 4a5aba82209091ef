-- The dashboard's booking counter: bookings and revenue per status for one company.
-- ordered: false
-- params: {"company_id": "studio-lotos"}
SELECT b.status::text AS status, count(*) AS bookings, sum(b.price) AS revenue
FROM public.bookings b
WHERE b.company_id = %(company_id)s
GROUP BY b.status
